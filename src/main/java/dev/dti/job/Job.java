package dev.dti.job;

import java.time.Instant;
import java.util.UUID;

/** A row of the job queue, as stored. */
public record Job(
    UUID id,
    UUID tenantId,
    String kind,
    UUID conceptId,
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
    Double lastLoss,
    Double embeddingNorm,
    Double etaSeconds,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt) {}
