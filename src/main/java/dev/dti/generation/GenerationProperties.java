package dev.dti.generation;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every limit and default of the generation API, in one place (docs/generation.md lists them with
 * their environment variables).
 *
 * @param retention how long generated images and interpolated embeddings are kept
 * @param cleanupInterval how often expired generations are removed
 * @param syncBudget largest request answered synchronously, in UNet evaluations at the model's
 *     resolution: steps × images × (width × height) / (model width × model height); larger ones
 *     become generation jobs
 * @param syncThreads dedicated platform threads for synchronous generations
 * @param syncQueue synchronous generations that may wait for a thread; beyond that: 429
 * @param retryAfter the {@code Retry-After} of a 429
 * @param defaultSteps sampling steps when the request gives none
 * @param maxSteps largest {@code steps}
 * @param defaultGuidanceScale classifier-free guidance when the request gives none
 * @param maxGuidanceScale largest {@code guidanceScale}
 * @param maxImages largest {@code numImages}
 * @param maxSizeFactor width and height may be at most this times the model's resolution
 * @param maxInterpolationPoints most points (t values or weight vectors) of one interpolation
 */
@ConfigurationProperties("dti.generation")
public record GenerationProperties(
    @DefaultValue("24h") Duration retention,
    @DefaultValue("10m") Duration cleanupInterval,
    @DefaultValue("100") double syncBudget,
    @DefaultValue("2") int syncThreads,
    @DefaultValue("8") int syncQueue,
    @DefaultValue("5s") Duration retryAfter,
    @DefaultValue("25") int defaultSteps,
    @DefaultValue("150") int maxSteps,
    @DefaultValue("7.5") double defaultGuidanceScale,
    @DefaultValue("30") double maxGuidanceScale,
    @DefaultValue("4") int maxImages,
    @DefaultValue("2") int maxSizeFactor,
    @DefaultValue("16") int maxInterpolationPoints) {

  public GenerationProperties {
    if (syncThreads < 1 || syncQueue < 0) {
      throw new IllegalArgumentException(
          "dti.generation.sync-threads must be at least 1, sync-queue at least 0");
    }
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("dti.generation.retention must be positive");
    }
  }
}
