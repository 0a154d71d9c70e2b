package dev.dti.security;

import dev.dti.security.TenantLimits.Policy;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The token buckets of the rate limits, kept in PostgreSQL ({@code rate_limit_buckets}) by
 * Bucket4j, so every replica on the database spends the same tokens. Each take is one short
 * transaction over the bucket's row ({@code SELECT … FOR UPDATE}, then the new state).
 *
 * <p>A bucket is {@code quota} tokens, refilled greedily at {@code quota} per window. When a
 * tenant's limits change (an admin override), the stored bucket takes the new configuration at its
 * next use: a raised quota adds the difference to its tokens, a lowered one caps them at the new
 * quota.
 */
@Component
@EnableScheduling
class RateLimiter {

  /** The outcome of one request's take. All times are whole seconds, rounded up. */
  record Take(
      Policy policy,
      boolean allowed,
      long remaining,
      long secondsToReset,
      long retryAfterSeconds) {}

  private static final int CLEANUP_BATCH = 1000;

  private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

  RateLimiter(DataSource dataSource) {
    this.buckets =
        Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
            .primaryKeyMapper(PrimaryKeyMapper.STRING)
            .table("rate_limit_buckets")
            .idColumn("id")
            .stateColumn("state")
            .expiresAtColumn("expires_at")
            .expirationAfterWrite(
                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
            .build();
  }

  /** Takes one token of the tenant's bucket of {@code endpointClass}. */
  Take take(TenantLimits limits, EndpointClass endpointClass) {
    Policy policy = limits.policy(endpointClass);
    BucketConfiguration configuration =
        BucketConfiguration.builder()
            .addLimit(
                limit ->
                    limit.capacity(policy.quota()).refillGreedy(policy.quota(), policy.window()))
            .build();
    ConsumptionProbe probe =
        buckets
            .builder()
            .withImplicitConfigurationReplacement(
                limits.version(), TokensInheritanceStrategy.ADDITIVE)
            .build(limits.tenantId() + ":" + endpointClass.policyName(), () -> configuration)
            .tryConsumeAndReturnRemaining(1);
    long retryAfter =
        probe.isConsumed() ? 0 : Math.max(1, seconds(probe.getNanosToWaitForRefill()));
    return new Take(
        policy,
        probe.isConsumed(),
        probe.getRemainingTokens(),
        seconds(probe.getNanosToWaitForReset()),
        retryAfter);
  }

  /** Removes buckets that are full again: a missing row is the same as a full bucket. */
  @Scheduled(
      fixedDelayString = "${dti.limits.cleanup-interval:10m}",
      initialDelayString = "${dti.limits.cleanup-interval:10m}")
  void removeFullBuckets() {
    while (buckets.removeExpired(CLEANUP_BATCH) == CLEANUP_BATCH) {
      // another batch
    }
  }

  private static long seconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
