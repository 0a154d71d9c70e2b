package dev.dti.job;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Takes the next job off the queue for one worker: only kinds this process has handlers for, only
 * jobs whose {@code run_after} has come; the tenant with the fewest running jobs first, and its
 * oldest job (the SQL is {@link JobRepository#claimNext}).
 */
public final class JobClaimer {

  private final JobRepository jobs;
  private final Set<String> kinds;
  private final Duration leaseDuration;

  public JobClaimer(JobRepository jobs, Set<String> kinds, Duration leaseDuration) {
    this.jobs = jobs;
    this.kinds = Set.copyOf(kinds);
    this.leaseDuration = leaseDuration;
  }

  /** The claimed job, running and leased to {@code owner}; empty if nothing is runnable now. */
  public Optional<Job> claim(String owner) {
    if (kinds.isEmpty()) {
      return Optional.empty();
    }
    return jobs.claimNext(kinds, owner, leaseDuration);
  }

  /**
   * The next job of one of {@code onlyKinds} (those of them this process handles), leased to {@code
   * owner}, by the same fair order; empty if none is runnable now.
   */
  public Optional<Job> claim(String owner, Set<String> onlyKinds) {
    Set<String> wanted = new HashSet<>(onlyKinds);
    wanted.retainAll(kinds);
    if (wanted.isEmpty()) {
      return Optional.empty();
    }
    return jobs.claimNext(wanted, owner, leaseDuration);
  }

  public Set<String> kinds() {
    return kinds;
  }
}
