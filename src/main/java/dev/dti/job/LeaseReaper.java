package dev.dti.job;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds running jobs whose lease expired — their worker died, hung or lost the database — and gives
 * them back to the queue (the SQL is {@link JobRepository#reapExpiredLeases}). Safe to run in every
 * process at once: the rows are locked with {@code SKIP LOCKED}.
 */
public final class LeaseReaper {

  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);

  private final JobRepository jobs;

  public LeaseReaper(JobRepository jobs) {
    this.jobs = jobs;
  }

  /** Reaps once; returns the jobs as they are afterwards. Never throws. */
  public List<Job> reap() {
    try {
      List<Job> reaped = jobs.reapExpiredLeases();
      for (Job job : reaped) {
        log.warn(
            "Lease of job {} ({}, attempt {} of {}) expired; the job is now {}",
            job.id(),
            job.kind(),
            job.attempts(),
            job.maxAttempts(),
            job.state().wireName());
      }
      return reaped;
    } catch (RuntimeException e) {
      log.warn("Could not reap expired leases: {}", e.toString());
      return List.of();
    }
  }
}
