package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

class QueueMetricsTest extends QueueTestBase {

  @Autowired MeterRegistry meters;
  @LocalServerPort int port;

  @Test
  void theQueueDepthGaugeShowsTheQueuedCount() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new QueueDepthMetrics(jobs, registry, Duration.ZERO);
    double before = queuedGauge(registry);

    enqueue();
    enqueue();
    enqueue();

    assertThat(queuedGauge(registry)).isEqualTo(before + 3).isEqualTo(queuedInDatabase());
    assertThat(registry.get("dti.jobs").gauges()).hasSize(JobState.values().length);
  }

  @Test
  void theQueueDepthGaugeReusesItsCountWithinTheCacheTtl() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new QueueDepthMetrics(jobs, registry, Duration.ofHours(1));
    double before = queuedGauge(registry);

    enqueue();

    assertThat(queuedGauge(registry)).isEqualTo(before);
  }

  @Test
  void prometheusShowsQueueDepthJobDurationsAndWorkerBusyTime() throws Exception {
    enqueue();
    Worker worker =
        pool(
                fastProperties(List.of("gpu:7"), 1, Duration.ofSeconds(5)),
                meters,
                handler(kind, context -> Thread.sleep(50)))
            .workers()
            .getFirst();
    assertThat(worker.runNextJob()).isTrue();

    String scrape = get("/actuator/prometheus");

    assertThat(scrape)
        .contains("dti_jobs{state=\"queued\"}")
        .contains("dti_jobs{state=\"succeeded\"}")
        .contains("dti_job_duration_seconds_count{kind=\"" + kind + "\",outcome=\"succeeded\"} 1")
        .contains("dti_worker_busy_seconds_total{device=\"gpu:7\",worker=\"dti-worker-gpu7-0\"}")
        .contains("dti_worker_active{device=\"gpu:7\",worker=\"dti-worker-gpu7-0\"} 0")
        .contains("dti_gradient_lock_waiting 0");
    assertThat(
            meters
                .get("dti.worker.busy")
                .tag("worker", "dti-worker-gpu7-0")
                .functionCounter()
                .count())
        .isGreaterThanOrEqualTo(0.05);
  }

  private static double queuedGauge(MeterRegistry registry) {
    return registry.get("dti.jobs").tag("state", "queued").gauge().value();
  }

  private double queuedInDatabase() {
    return jdbc.sql("SELECT count(*) FROM jobs WHERE state = 'queued'").query(Long.class).single();
  }

  private String get(String path) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      return response.body();
    }
  }
}
