package dev.dti.job;

import static org.awaitility.Awaitility.await;

import dev.dti.support.IntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Queue tests on the real PostgreSQL of the shared test context. Each test gets its own tenant and
 * its own job kind ({@code test-<uuid>}), so only the handlers it builds can claim its jobs; the
 * context runs the API role only, with no workers of its own.
 */
abstract class QueueTestBase extends IntegrationTest {

  @Autowired JobRepository jobs;
  @Autowired JobService jobService;
  @Autowired JdbcClient jdbc;

  final UUID tenant = UUID.randomUUID();
  final String kind = "test-" + UUID.randomUUID();
  private final List<WorkerPool> pools = new ArrayList<>();

  @AfterEach
  void stopPools() {
    pools.forEach(WorkerPool::stop);
  }

  /** Short intervals so leases, heartbeats and backoff play out in fractions of a second. */
  static WorkerProperties fastProperties(int workers) {
    return fastProperties(List.of("cpu"), workers, Duration.ofSeconds(5));
  }

  /**
   * Poll 20 ms, lease 2 s, heartbeat 100 ms, reaper 200 ms, 3 attempts, 5 crashes, backoff 200 ms
   * doubling up to 1 s, no caching of the queue depth.
   */
  static WorkerProperties fastProperties(
      List<String> devices, int workersPerDevice, Duration shutdownGrace) {
    return new WorkerProperties(
        devices,
        workersPerDevice,
        Duration.ofMillis(20),
        Duration.ofSeconds(2),
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        3,
        5,
        Duration.ofMillis(200),
        Duration.ofSeconds(1),
        shutdownGrace,
        Duration.ZERO,
        null);
  }

  /** A worker of a pool that is never started: the test drives it with {@code runNextJob()}. */
  Worker worker(HandlerBody body) {
    return pool(fastProperties(1), handler(kind, body)).workers().getFirst();
  }

  WorkerPool pool(WorkerProperties properties, JobHandler... handlers) {
    return pool(properties, new SimpleMeterRegistry(), handlers);
  }

  WorkerPool pool(WorkerProperties properties, MeterRegistry meters, JobHandler... handlers) {
    WorkerPool pool =
        new WorkerPool(properties, jobs, List.of(handlers), meters, InstantSource.system());
    pools.add(pool);
    return pool;
  }

  static JobHandler handler(String kind, HandlerBody body) {
    return new JobHandler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void run(JobContext context) throws Exception {
        body.run(context);
      }
    };
  }

  @FunctionalInterface
  interface HandlerBody {
    void run(JobContext context) throws Exception;
  }

  @BeforeEach
  void insertTenant() {
    jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
        .param("id", tenant)
        .param("name", "queue-test-" + tenant)
        .update();
  }

  Job enqueue() {
    return jobService.enqueue(tenant, kind, "{\"steps\": 10}", 10);
  }

  Job reload(Job job) {
    return jobs.findById(job.id()).orElseThrow();
  }

  Job awaitState(Job job, JobState state, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> reload(job).state() == state);
    return reload(job);
  }

  long countOfKind(JobState state) {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE kind = :kind AND state = :state")
        .param("kind", kind)
        .param("state", state.wireName())
        .query(Long.class)
        .single();
  }
}
