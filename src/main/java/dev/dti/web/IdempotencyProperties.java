package dev.dti.web;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long {@code Idempotency-Key}s live.
 *
 * @param ttl how long a key replays its answer ({@code DTI_IDEMPOTENCY_TTL}); after that it is
 *     forgotten and may be used for a new request
 * @param reservationTtl how long a key reserved by a request that runs outside a transaction (a
 *     synchronous render) blocks the key if its process dies before answering
 * @param cleanupInterval how often expired keys are deleted
 */
@ConfigurationProperties("dti.idempotency")
public record IdempotencyProperties(
    @DefaultValue("24h") Duration ttl,
    @DefaultValue("10m") Duration reservationTtl,
    @DefaultValue("10m") Duration cleanupInterval) {}
