package dev.dti.job;

import java.time.Instant;
import java.util.UUID;

/**
 * One row of the {@code job_events} outbox: a state transition of a job, appended in the same
 * statement as the transition itself.
 *
 * @param id increasing over all jobs; a reader resumes after the last id it saw
 * @param type {@code queued}, {@code started}, {@code progress}, {@code succeeded}, {@code failed},
 *     {@code canceled} or {@code requeued}
 * @param reason why: {@code enqueued}, {@code claimed}, {@code progress}, {@code completed}, {@code
 *     canceled}, {@code failed}, {@code retry}, {@code shutdown} or {@code lease_expired}
 * @param dataJson the job's public state after the transition (state, steps, progress, ETA, the
 *     handler's detail, attempts, crashes, error)
 */
public record JobEvent(
    long id,
    UUID jobId,
    UUID tenantId,
    String kind,
    String type,
    String reason,
    String dataJson,
    Instant createdAt) {}
