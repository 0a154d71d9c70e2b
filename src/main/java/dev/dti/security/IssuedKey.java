package dev.dti.security;

import java.time.Instant;
import java.util.UUID;

/** A newly created API key. {@code key} is the only time the clear key is ever shown. */
public record IssuedKey(UUID id, UUID tenantId, String key, String prefix, Instant createdAt) {}
