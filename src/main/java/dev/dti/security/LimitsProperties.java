package dev.dti.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The default rate limits and quota of every tenant; the admin API overrides them per tenant
 * ({@code PUT /v1/admin/tenants/{id}/limits}). Each class of endpoint is a token bucket of {@code
 * quota} tokens that refills {@code quota} tokens per {@code window} evenly: a tenant may spend the
 * whole quota at once, then one more request every {@code window / quota}.
 *
 * @param trainingQuota training requests (POST /v1/concepts and /v1/concepts/import) per window
 * @param trainingWindow the training window
 * @param generationQuota generation requests (POST /v1/generations and /v1/interpolations) per
 *     window
 * @param generationWindow the generation window
 * @param readQuota read requests (every GET under /v1) per window
 * @param readWindow the read window
 * @param maxUnfinishedTrainingJobs training jobs a tenant may have queued or running at once; a new
 *     concept beyond that is refused
 * @param cleanupInterval how often bucket rows that are full again (so equal to a new one) are
 *     removed
 */
@ConfigurationProperties("dti.limits")
public record LimitsProperties(
    @DefaultValue("10") int trainingQuota,
    @DefaultValue("1h") Duration trainingWindow,
    @DefaultValue("60") int generationQuota,
    @DefaultValue("1m") Duration generationWindow,
    @DefaultValue("600") int readQuota,
    @DefaultValue("1m") Duration readWindow,
    @DefaultValue("20") int maxUnfinishedTrainingJobs,
    @DefaultValue("10m") Duration cleanupInterval) {

  public LimitsProperties {
    if (trainingQuota < 1
        || generationQuota < 1
        || readQuota < 1
        || maxUnfinishedTrainingJobs < 1) {
      throw new IllegalArgumentException(
          "dti.limits.*-quota and max-unfinished-training-jobs must be at least 1");
    }
    for (Duration window : new Duration[] {trainingWindow, generationWindow, readWindow}) {
      if (window.toSeconds() < 1) {
        throw new IllegalArgumentException("dti.limits.*-window must be at least 1s");
      }
    }
  }
}
