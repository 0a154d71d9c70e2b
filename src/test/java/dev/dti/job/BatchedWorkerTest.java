package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker with {@code batch-jobs} above one holds several jobs of a batching handler and steps
 * them together: jobs join between two steps by the fair claim, leave when they end, and each one's
 * lease, progress, cancel, shutdown and outcome are its own. The test drives one worker of a pool
 * that is never started, step by step, with a handler whose steps count and whose jobs end after
 * the payload's {@code steps}.
 */
class BatchedWorkerTest extends QueueTestBase {

  final UUID otherTenant = UUID.randomUUID();

  /** The jobs of each batched step, in the order the worker passed them. */
  final List<List<UUID>> steps = new CopyOnWriteArrayList<>();

  /** The step at which a job was asked to stop and saved its state, by job. */
  final Map<UUID, Integer> savedAtStop = new ConcurrentHashMap<>();

  /** Jobs run alone through {@link JobHandler#run}. */
  final List<UUID> ranAlone = new CopyOnWriteArrayList<>();

  @BeforeEach
  void insertOtherTenant() {
    jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
        .param("id", otherTenant)
        .param("name", "queue-test-" + otherTenant)
        .update();
  }

  @Test
  void threeQueuedJobsOfTwoTenantsAreSteppedTogetherAndEachEndsSucceededWithItsOwnProgress() {
    Job a = enqueueFor(tenant, 3);
    Job b = enqueueFor(otherTenant, 3);
    Job c = enqueueFor(tenant, 3);
    Worker worker = worker(4);

    assertThat(worker.runNextJob()).isTrue();
    while (worker.stepHeldJobs()) {
      // one batched step a turn
    }

    assertThat(steps)
        .containsExactly(
            List.of(a.id(), b.id(), c.id()),
            List.of(a.id(), b.id(), c.id()),
            List.of(a.id(), b.id(), c.id()));
    for (Job job : List.of(a, b, c)) {
      Job done = reload(job);
      assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
      assertThat(done.currentStep()).isEqualTo(3);
      assertThat(done.attempts()).isEqualTo(1);
      assertThat(done.result()).isEqualTo("{\"steps\": 3}");
    }
    assertThat(ranAlone).isEmpty();
  }

  @Test
  void theBatchIsFilledByTheFairClaimSoASecondTenantJoinsBeforeTheFirstTenantsNextJob() {
    Job a1 = enqueueFor(tenant, 2);
    Job a2 = enqueueFor(tenant, 2);
    Job a3 = enqueueFor(tenant, 2);
    Job b1 = enqueueFor(otherTenant, 2);
    Worker worker = worker(2);

    worker.runNextJob();
    worker.stepHeldJobs();

    assertThat(steps.getFirst()).containsExactly(a1.id(), b1.id());
    assertThat(reload(a2).state()).isEqualTo(JobState.QUEUED);
    assertThat(reload(a3).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aJobQueuedMidwayJoinsAtTheNextStepAndAJobThatEndsLeavesWithoutStoppingTheOthers() {
    Job longer = enqueueFor(tenant, 4);
    Job shorter = enqueueFor(otherTenant, 1);
    Worker worker = worker(4);
    worker.runNextJob();
    worker.stepHeldJobs(); // both step once; the shorter one is done
    Job joiner = enqueueFor(otherTenant, 2);
    awaitClaimable();

    while (worker.stepHeldJobs()) {
      // one batched step a turn
    }

    assertThat(steps)
        .containsExactly(
            List.of(longer.id(), shorter.id()),
            List.of(longer.id(), joiner.id()),
            List.of(longer.id(), joiner.id()),
            List.of(longer.id()));
    assertThat(List.of(reload(longer), reload(shorter), reload(joiner)))
        .allSatisfy(job -> assertThat(job.state()).isEqualTo(JobState.SUCCEEDED))
        .extracting(Job::currentStep)
        .containsExactly(4, 1, 2);
  }

  @Test
  void aFailingJobAndACanceledJobEndAloneWhileTheOthersGoOn() {
    Job failing = jobService.enqueue(tenant, kind, "{\"steps\": 5, \"failAt\": 2}", 5);
    Job canceled = enqueueFor(otherTenant, 5);
    Job survivor = enqueueFor(tenant, 5);
    WorkerPool pool = pool(fastProperties(1).withBatchJobs(4), batchingHandler());
    Worker worker = pool.workers().getFirst();
    worker.runNextJob();
    worker.stepHeldJobs();
    jobService.cancel(otherTenant, canceled.id());
    pool.heartbeat().beat(); // carries the cancel to the running job

    while (worker.stepHeldJobs()) {
      // one batched step a turn
    }

    Job failed = reload(failing);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.error()).isEqualTo("The payload says fail at step 2.");
    assertThat(reload(canceled).state()).isEqualTo(JobState.CANCELED);
    assertThat(reload(canceled).currentStep()).isEqualTo(1);
    assertThat(reload(survivor).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(steps)
        .containsExactly(
            List.of(failing.id(), canceled.id(), survivor.id()),
            List.of(failing.id(), canceled.id(), survivor.id()),
            List.of(survivor.id()),
            List.of(survivor.id()),
            List.of(survivor.id()));
  }

  @Test
  void aShutdownStopsEveryHeldJobAtTheCurrentStepAndHandsEachBackWithoutCountingAnAttempt() {
    List<Job> three =
        List.of(enqueueFor(tenant, 10), enqueueFor(otherTenant, 10), enqueueFor(tenant, 10));
    Worker worker = worker(4);
    worker.runNextJob();
    worker.stepHeldJobs();
    worker.stepHeldJobs();

    worker.stop();
    assertThat(worker.stepHeldJobs()).as("the step that stops them").isTrue();

    assertThat(worker.stepHeldJobs()).as("nothing is held any more").isFalse();
    for (Job job : three) {
      Job released = reload(job);
      assertThat(released.state()).isEqualTo(JobState.QUEUED);
      assertThat(released.attempts()).isZero();
      assertThat(released.crashes()).isZero();
      assertThat(released.currentStep()).isEqualTo(2);
      assertThat(released.leaseOwner()).isNull();
      assertThat(savedAtStop).containsEntry(job.id(), 2);
    }
    assertThat(steps).hasSize(3);
  }

  @Test
  void aPoolStartedAgainAfterAStopRunsJobsAgain() {
    WorkerPool pool = pool(fastProperties(1).withBatchJobs(4), batchingHandler());
    pool.start();
    pool.stop();
    Job queuedWhileStopped = enqueueFor(tenant, 2);

    pool.start();

    assertThat(
            awaitState(queuedWhileStopped, JobState.SUCCEEDED, Duration.ofSeconds(30))
                .currentStep())
        .isEqualTo(2);
  }

  @Test
  void aWorkerWithBatchJobsOneRunsEachJobAloneThroughRun() {
    Job a = enqueueFor(tenant, 3);
    Job b = enqueueFor(otherTenant, 3);
    Worker worker = worker(1);

    assertThat(worker.runNextJob()).isTrue();
    assertThat(worker.stepHeldJobs()).isFalse();
    assertThat(worker.runNextJob()).isTrue();

    assertThat(ranAlone).containsExactly(a.id(), b.id());
    assertThat(steps).isEmpty();
    assertThat(reload(a).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(reload(b).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void theBatchDefaultIsPerDeviceTypeAndThePropertyOverridesIt() {
    WorkerProperties defaults = fastProperties(1);

    assertThat(defaults.batchJobs("cpu")).isEqualTo(WorkerProperties.CPU_BATCH_JOBS);
    assertThat(defaults.batchJobs("gpu:0")).isEqualTo(WorkerProperties.GPU_BATCH_JOBS);
    assertThat(defaults.withBatchJobs(2).batchJobs("gpu:0")).isEqualTo(2);
    assertThat(
            pool(
                    fastProperties(List.of("cpu", "gpu:1"), 1, Duration.ofSeconds(5)),
                    batchingHandler())
                .workers()
                .stream()
                .map(Worker::batchJobs))
        .containsExactly(WorkerProperties.CPU_BATCH_JOBS, WorkerProperties.GPU_BATCH_JOBS);
  }

  @Test
  void theWidthOfEveryBatchedStepIsAMetric() {
    enqueueFor(tenant, 2);
    enqueueFor(otherTenant, 1);
    var meters = new SimpleMeterRegistry();
    Worker worker =
        pool(fastProperties(1).withBatchJobs(4), meters, batchingHandler()).workers().getFirst();

    worker.runNextJob();
    while (worker.stepHeldJobs()) {
      // one batched step a turn
    }

    var width = meters.get("dti.worker.batch.step.jobs").summary();
    assertThat(width.count()).isEqualTo(2);
    assertThat(width.totalAmount()).isEqualTo(3.0);
    assertThat(width.max()).isEqualTo(2.0);
  }

  private Job enqueueFor(UUID tenantId, int steps) {
    return jobService.enqueue(tenantId, kind, "{\"steps\": " + steps + "}", steps);
  }

  /** A worker that found the queue empty asks it again after one poll interval. */
  private void awaitClaimable() {
    try {
      Thread.sleep(fastProperties(1).pollInterval().toMillis() + 5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Worker worker(int batchJobs) {
    return pool(fastProperties(1).withBatchJobs(batchJobs), batchingHandler()).workers().getFirst();
  }

  private JobHandler batchingHandler() {
    return new JobHandler() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public void run(JobContext context) {
        ranAlone.add(context.jobId());
        int total = steps(context);
        for (int step = 1; step <= total; step++) {
          context.reportProgress(step, total, null);
        }
        context.complete("{\"steps\": " + total + "}");
      }

      @Override
      public Optional<JobBatching> batching() {
        return Optional.of(new CountingBatching());
      }
    };
  }

  private static int steps(JobContext context) {
    return PayloadValues.number(context.payload(), "steps").intValue();
  }

  /** Each session counts its steps and ends after the payload's {@code steps}. */
  private final class CountingBatching implements JobBatching {

    private final class Counting implements Session {
      final JobContext context;
      int step;

      Counting(JobContext context) {
        this.context = context;
        this.step = context.job().currentStep();
      }

      @Override
      public JobContext context() {
        return context;
      }

      @Override
      public void close() {}
    }

    @Override
    public Session open(JobContext context) {
      return new Counting(context);
    }

    @Override
    public List<Outcome> step(List<Session> sessions) {
      steps.add(sessions.stream().map(s -> s.context().jobId()).toList());
      List<Outcome> outcomes = new ArrayList<>();
      for (Session session : sessions) {
        Counting counting = (Counting) session;
        JobContext context = counting.context;
        StopReason stop = context.stopReason();
        if (stop != null) {
          savedAtStop.put(context.jobId(), counting.step);
          outcomes.add(Outcome.stopped(stop));
          continue;
        }
        counting.step++;
        Number failAt = PayloadValues.number(context.payload(), "failAt");
        if (failAt != null && failAt.intValue() == counting.step) {
          outcomes.add(
              Outcome.failed(
                  new TerminalJobException("the payload says fail at step " + counting.step)));
          continue;
        }
        context.reportProgress(counting.step, steps(context), null);
        if (counting.step == steps(context)) {
          context.complete("{\"steps\": " + counting.step + "}");
          outcomes.add(Outcome.ENDED);
        } else {
          outcomes.add(Outcome.CONTINUES);
        }
      }
      return outcomes;
    }
  }
}
