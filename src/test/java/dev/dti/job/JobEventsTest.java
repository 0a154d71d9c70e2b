package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every state transition of a job appends exactly one row to the {@code job_events} outbox. */
class JobEventsTest extends QueueTestBase {

  @Test
  void aJobThatRunsToSuccessHasOneEventPerTransitionInOrder() {
    Job job = enqueue();
    Worker worker =
        worker(
            context -> {
              context.reportProgress(5, 10, "{\"lastLoss\": 0.5}");
              context.reportProgress(10, 10, "{\"lastLoss\": 0.25}");
              context.complete("{}");
            });

    assertThat(worker.runNextJob()).isTrue();

    List<JobEvent> events = jobService.events(job.id(), 0);
    assertThat(events)
        .extracting(JobEvent::type, JobEvent::reason)
        .containsExactly(
            tuple("queued", "enqueued"),
            tuple("started", "claimed"),
            tuple("progress", "progress"),
            tuple("progress", "progress"),
            tuple("succeeded", "completed"));
    assertThat(events).allSatisfy(e -> assertThat(e.tenantId()).isEqualTo(tenant));
    assertThat(events).extracting(JobEvent::id).isSorted();
    assertThat(PayloadValues.number(events.get(3).dataJson(), "currentStep")).isEqualTo(10.0);
    assertThat(events.get(3).dataJson()).contains("\"lastLoss\": 0.25");
    assertThat(PayloadValues.string(events.get(4).dataJson(), "state")).isEqualTo("succeeded");
    assertThat(jobService.events(job.id(), events.get(2).id()))
        .extracting(JobEvent::type)
        .containsExactly("progress", "succeeded");
  }

  @Test
  void aRetriedThenFailedJobHasARequeuedEventForEachRetry() {
    Job job = enqueue();
    Worker worker =
        worker(
            context -> {
              throw new IllegalStateException("out of memory");
            });

    for (int attempt = 0; attempt < 3; attempt++) {
      await(worker);
    }

    assertThat(jobService.events(job.id(), 0))
        .extracting(JobEvent::type, JobEvent::reason)
        .containsExactly(
            tuple("queued", "enqueued"),
            tuple("started", "claimed"),
            tuple("requeued", "retry"),
            tuple("started", "claimed"),
            tuple("requeued", "retry"),
            tuple("started", "claimed"),
            tuple("failed", "failed"));
  }

  @Test
  void aLostLeaseAppendsOneRequeuedEventAndTheNextRunItsOwn() throws Exception {
    Job job = enqueue();
    new JobClaimer(jobs, Set.of(kind), Duration.ofMillis(50)).claim("dead-worker").orElseThrow();
    Thread.sleep(100);

    new LeaseReaper(jobs).reap();
    new LeaseReaper(jobs).reap(); // nothing left to reap: no second event
    worker(context -> context.complete(null)).runNextJob();

    List<JobEvent> events = jobService.events(job.id(), 0);
    assertThat(events)
        .extracting(JobEvent::type, JobEvent::reason)
        .containsExactly(
            tuple("queued", "enqueued"),
            tuple("started", "claimed"),
            tuple("requeued", "lease_expired"),
            tuple("started", "claimed"),
            tuple("succeeded", "completed"));
    assertThat(PayloadValues.number(events.get(2).dataJson(), "crashes")).isEqualTo(1.0);
  }

  @Test
  void cancelingAQueuedJobIsOneTransitionAndCancelingItAgainNone() {
    Job job = enqueue();

    jobService.cancel(tenant, job.id());
    jobService.cancel(tenant, job.id());

    assertThat(jobService.events(job.id(), 0))
        .extracting(JobEvent::type, JobEvent::reason)
        .containsExactly(tuple("queued", "enqueued"), tuple("canceled", "canceled"));
  }

  @Test
  void aRunningJobThatIsCanceledOrStoppedForShutdownEndsWithOneEvent() throws Exception {
    Job canceled = enqueue();
    Job released = enqueue();
    CountDownLatch started = new CountDownLatch(2);
    WorkerPool pool =
        pool(
            fastProperties(2),
            handler(
                kind,
                context -> {
                  started.countDown();
                  while (true) {
                    context.throwIfCanceled();
                    Thread.sleep(10);
                  }
                }));
    pool.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    jobService.cancel(tenant, canceled.id()); // the flag is not a transition; the stop is
    awaitState(canceled, JobState.CANCELED, Duration.ofSeconds(5));
    pool.stop();

    assertThat(jobService.events(canceled.id(), 0))
        .extracting(JobEvent::type)
        .containsExactly("queued", "started", "canceled");
    assertThat(jobService.events(released.id(), 0))
        .extracting(JobEvent::type, JobEvent::reason)
        .containsExactly(
            tuple("queued", "enqueued"),
            tuple("started", "claimed"),
            tuple("requeued", "shutdown"));
  }

  private static org.assertj.core.groups.Tuple tuple(Object... values) {
    return org.assertj.core.groups.Tuple.tuple(values);
  }

  private void await(Worker worker) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(25))
        .until(worker::runNextJob);
  }
}
