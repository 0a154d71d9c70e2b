package dev.dti.support;

import dev.dti.job.JobHandler;
import dev.dti.job.JobRepository;
import dev.dti.job.WorkerPool;
import dev.dti.job.WorkerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * Worker pools for tests that drive the queue themselves, as a worker process would: one CPU worker
 * that polls every 50 ms, a 30 s lease renewed every 200 ms, 3 attempts, and a 60 s grace on stop.
 */
public final class TestWorkers {

  private TestWorkers() {}

  /** The properties of {@link #start}; batch-jobs null: the device type's default. */
  public static WorkerProperties fast() {
    return new WorkerProperties(
        List.of("cpu"),
        1,
        Duration.ofMillis(50),
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        Duration.ofSeconds(1),
        3,
        5,
        Duration.ofMillis(200),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ZERO,
        null);
  }

  /** A started pool with {@link #fast} properties; stop it when the test ends. */
  public static WorkerPool start(JobRepository jobs, List<JobHandler> handlers) {
    return start(fast(), jobs, handlers);
  }

  public static WorkerPool start(
      WorkerProperties properties, JobRepository jobs, List<JobHandler> handlers) {
    WorkerPool pool =
        new WorkerPool(
            properties,
            jobs,
            List.copyOf(handlers),
            new SimpleMeterRegistry(),
            InstantSource.system());
    pool.start();
    return pool;
  }
}
