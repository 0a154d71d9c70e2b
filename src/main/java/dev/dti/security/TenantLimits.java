package dev.dti.security;

import java.time.Duration;
import java.util.UUID;

/**
 * The limits in force for one tenant: the configured defaults with the tenant's overrides applied.
 *
 * @param version increases with every change of the tenant's overrides (0 without any); a stored
 *     bucket older than it takes the new quota
 */
public record TenantLimits(
    UUID tenantId,
    Policy training,
    Policy generation,
    Policy read,
    int maxUnfinishedTrainingJobs,
    long version) {

  /** A token bucket: {@code quota} requests at once, refilled by {@code quota} per window. */
  public record Policy(int quota, long windowSeconds) {

    public Duration window() {
      return Duration.ofSeconds(windowSeconds);
    }
  }

  public Policy policy(EndpointClass endpointClass) {
    return switch (endpointClass) {
      case TRAINING -> training;
      case GENERATION -> generation;
      case READ -> read;
    };
  }
}
