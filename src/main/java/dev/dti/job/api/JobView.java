package dev.dti.job.api;

import dev.dti.job.Job;
import dev.dti.job.PayloadValues;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/**
 * A job as the API shows it. {@code cancelRequested} is true once a cancel was asked for; a running
 * job stays {@code running} until its worker stops at the next step.
 */
public record JobView(
    UUID id,
    @Schema(example = "training") String kind,
    UUID conceptId,
    @Schema(allowableValues = {"queued", "running", "succeeded", "failed", "canceled"})
        String state,
    @Schema(description = "Fraction done, 0–1") double progress,
    int currentStep,
    int totalSteps,
    Double etaSeconds,
    Double lastLoss,
    Double embeddingNorm,
    @Schema(
            description =
                "Times the job was started and failed or is running; a stop or crash of its worker does not count")
        int attempts,
    int maxAttempts,
    @Schema(
            description =
                "Times the worker running the job died (its lease expired) and the job went back to the queue")
        int crashes,
    int maxCrashes,
    boolean cancelRequested,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt,
    String error,
    @Schema(
            description =
                "Training jobs: loss and embedding norm over the steps so far (downsampled)")
        JobHistory history) {

  public static JobView of(Job job) {
    return of(job, null);
  }

  /** Training jobs name their concept in the payload; the loss and norm are their detail. */
  public static JobView of(Job job, JobHistory history) {
    String conceptId = PayloadValues.string(job.payload(), "conceptId");
    return new JobView(
        job.id(),
        job.kind(),
        conceptId == null ? null : UUID.fromString(conceptId),
        job.state().wireName(),
        job.progress(),
        job.currentStep(),
        job.totalSteps(),
        job.etaSeconds(),
        PayloadValues.number(job.progressDetail(), "lastLoss"),
        PayloadValues.number(job.progressDetail(), "embeddingNorm"),
        job.attempts(),
        job.maxAttempts(),
        job.crashes(),
        job.maxCrashes(),
        job.cancelRequested(),
        job.createdAt(),
        job.startedAt(),
        job.finishedAt(),
        job.updatedAt(),
        job.error(),
        history);
  }
}
