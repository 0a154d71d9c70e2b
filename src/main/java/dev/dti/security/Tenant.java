package dev.dti.security;

import java.util.UUID;

/** The tenant an API key identifies; resolved per request and passed to controllers. */
public record Tenant(UUID id, String name) {}
