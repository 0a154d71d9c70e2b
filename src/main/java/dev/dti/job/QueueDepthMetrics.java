package dev.dti.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dti_jobs{state=…}} gauges: jobs per state over all tenants, from one {@code GROUP BY}
 * shared by all states and reused for {@code queue-depth-cache-ttl}, so scrapes stay cheap. Present
 * in every role, so an API-only pod can drive autoscaling of the workers.
 */
public final class QueueDepthMetrics {

  private static final Logger log = LoggerFactory.getLogger(QueueDepthMetrics.class);

  private final JobRepository jobs;
  private final long ttlNanos;
  private Map<JobState, Long> counts = new EnumMap<>(JobState.class);
  private long countedAtNanos;
  private boolean counted;

  public QueueDepthMetrics(JobRepository jobs, MeterRegistry meters, Duration cacheTtl) {
    this.jobs = jobs;
    this.ttlNanos = cacheTtl.toNanos();
    for (JobState state : JobState.values()) {
      Gauge.builder("dti.jobs", this, metrics -> metrics.count(state))
          .description("Jobs by state, over all tenants")
          .tag("state", state.wireName())
          .register(meters);
    }
  }

  /** Jobs in {@code state}; NaN if the database cannot be asked. */
  synchronized double count(JobState state) {
    if (!counted || System.nanoTime() - countedAtNanos >= ttlNanos) {
      try {
        counts = jobs.countByState();
        counted = true;
        countedAtNanos = System.nanoTime();
      } catch (RuntimeException e) {
        log.debug("Could not count jobs by state: {}", e.toString());
        return Double.NaN;
      }
    }
    return counts.getOrDefault(state, 0L);
  }
}
