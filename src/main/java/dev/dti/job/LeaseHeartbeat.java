package dev.dti.job;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the leases of this process's running jobs alive and carries cancel requests to them. One
 * beat renews every watched job's lease and reads its {@code cancel_requested}: a requested cancel,
 * or a lease that is no longer ours, sets the job's stop flag, which its handler sees at the next
 * step boundary. A cancel therefore reaches a running job within one heartbeat interval.
 */
public final class LeaseHeartbeat {

  private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

  private final JobRepository jobs;
  private final Duration leaseDuration;
  private final Set<JobContext> running = ConcurrentHashMap.newKeySet();

  public LeaseHeartbeat(JobRepository jobs, Duration leaseDuration) {
    this.jobs = jobs;
    this.leaseDuration = leaseDuration;
  }

  void watch(JobContext context) {
    running.add(context);
  }

  void unwatch(JobContext context) {
    running.remove(context);
  }

  /** Renews every watched lease once. Never throws: a missed beat is retried at the next one. */
  public void beat() {
    for (JobContext context : running) {
      try {
        Optional<Boolean> cancelRequested =
            jobs.renewLease(context.jobId(), context.owner(), leaseDuration);
        if (cancelRequested.isEmpty()) {
          if (running.contains(context)) {
            log.warn(
                "Job {} is no longer leased to {}; its handler is asked to stop",
                context.jobId(),
                context.owner());
            context.requestStop(StopReason.LEASE_LOST);
          }
        } else if (cancelRequested.get()) {
          context.requestStop(StopReason.CANCEL_REQUESTED);
        }
      } catch (RuntimeException e) {
        log.warn("Could not renew the lease of job {}: {}", context.jobId(), e.toString());
      }
    }
  }
}
