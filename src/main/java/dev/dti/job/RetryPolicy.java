package dev.dti.job;

import java.time.Duration;

/**
 * Bounded attempts with exponential backoff: after the n-th failed attempt a job waits {@code base
 * * 2^(n-1)}, at most {@code cap}, and after {@code max_attempts} attempts it fails for good. The
 * number of attempts is the job's own ({@code jobs.max_attempts}, set when it was enqueued).
 */
public final class RetryPolicy {

  private final Duration base;
  private final Duration cap;

  public RetryPolicy(Duration base, Duration cap) {
    if (base.isNegative() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff needs 0 <= base <= cap");
    }
    this.base = base;
    this.cap = cap;
  }

  /** True if a job that just failed its attempt number {@code job.attempts()} may run again. */
  public boolean mayRetry(Job job) {
    return job.attempts() < job.maxAttempts();
  }

  /** Wait before the next attempt, after {@code failedAttempts} attempts (1 or more) failed. */
  public Duration backoffAfter(int failedAttempts) {
    int doublings = Math.max(0, failedAttempts - 1);
    // Past 62 doublings any base overflows a long of nanoseconds: the cap applies anyway.
    if (doublings >= 62 || base.toNanos() > (cap.toNanos() >> doublings)) {
      return cap;
    }
    return base.multipliedBy(1L << doublings);
  }
}
