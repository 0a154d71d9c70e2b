package dev.dti.job;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of the job queue, as stored. The queue knows nothing of what a job does: {@code payload} is
 * the handler's input and {@code progressDetail} what it reports besides step and ETA (JSON text,
 * or null).
 */
public record Job(
    UUID id,
    UUID tenantId,
    String kind,
    JobState state,
    String payload,
    String result,
    int attempts,
    int maxAttempts,
    int crashes,
    int maxCrashes,
    Instant runAfter,
    String leaseOwner,
    Instant leaseExpiresAt,
    boolean cancelRequested,
    double progress,
    int currentStep,
    int totalSteps,
    String progressDetail,
    Double etaSeconds,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt) {}
