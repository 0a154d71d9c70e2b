package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JobQueueTest extends QueueTestBase {

  @Test
  void fiveHundredJobsOnEightWorkersRunEachJobExactlyOnce() {
    List<Job> enqueued = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      enqueued.add(enqueue());
    }
    Map<Object, AtomicInteger> runsPerJob = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    WorkerPool pool =
        pool(
            fastProperties(8),
            handler(
                kind,
                context -> {
                  runsPerJob
                      .computeIfAbsent(context.jobId(), id -> new AtomicInteger())
                      .incrementAndGet();
                  threads.add(Thread.currentThread().getName());
                  context.complete("{\"ok\": true}");
                }));

    pool.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> countOfKind(JobState.SUCCEEDED) == 500);
    pool.stop();

    assertThat(runsPerJob).hasSize(500);
    assertThat(runsPerJob.values()).allSatisfy(runs -> assertThat(runs.get()).isEqualTo(1));
    assertThat(runsPerJob.keySet())
        .containsExactlyInAnyOrderElementsOf(enqueued.stream().map(Job::id).toList());
    Long attempts =
        jdbc.sql("SELECT sum(attempts) FROM jobs WHERE kind = :kind")
            .param("kind", kind)
            .query(Long.class)
            .single();
    assertThat(attempts).isEqualTo(500);
    assertThat(threads).hasSizeGreaterThan(1).allMatch(name -> name.startsWith("dti-worker-cpu-"));
  }

  @Test
  void claimTakesTheOldestRunnableJobOfAHandledKindAndSkipsJobsNotYetDue() {
    Job notYetDue = enqueue();
    Job oldestDue = enqueue();
    Job newerDue = enqueue();
    Job otherKind = jobService.enqueue(tenant, kind + "-other", "{}", 1);
    jdbc.sql("UPDATE jobs SET run_after = now() + interval '1 hour' WHERE id = :id")
        .param("id", notYetDue.id())
        .update();
    JobClaimer claimer = new JobClaimer(jobs, Set.of(kind), Duration.ofSeconds(30));

    Job first = claimer.claim("worker-a").orElseThrow();
    Job second = claimer.claim("worker-b").orElseThrow();

    assertThat(first.id()).isEqualTo(oldestDue.id());
    assertThat(second.id()).isEqualTo(newerDue.id());
    assertThat(claimer.claim("worker-c")).isEmpty();
    assertThat(first.state()).isEqualTo(JobState.RUNNING);
    assertThat(first.attempts()).isEqualTo(1);
    assertThat(first.leaseOwner()).isEqualTo("worker-a");
    assertThat(first.leaseExpiresAt()).isAfter(Instant.now().plusSeconds(20));
    assertThat(reload(notYetDue).state()).isEqualTo(JobState.QUEUED);
    assertThat(reload(otherKind).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void anExpiredLeaseIsReapedAndTheJobRunsOnAnotherWorkerWithItsAttemptGivenBackAndACrashCounted() {
    Job job = enqueue();
    Job claimedByDeadWorker =
        new JobClaimer(jobs, Set.of(kind), Duration.ofMillis(300))
            .claim("dead-worker")
            .orElseThrow();
    assertThat(claimedByDeadWorker.id()).isEqualTo(job.id());
    assertThat(claimedByDeadWorker.attempts()).isEqualTo(1);
    AtomicReference<JobContext> seen = new AtomicReference<>();
    WorkerPool pool = pool(fastProperties(1), handler(kind, seen::set));

    pool.start(); // its reaper runs every 200 ms; the dead worker never renews its 300 ms lease
    Job done = awaitState(job, JobState.SUCCEEDED, Duration.ofSeconds(10));

    assertThat(seen.get().job().attempts()).isEqualTo(1);
    assertThat(seen.get().job().crashes()).isEqualTo(1);
    assertThat(seen.get().owner()).endsWith("/dti-worker-cpu-0").isNotEqualTo("dead-worker");
    assertThat(seen.get().job().error())
        .isEqualTo(
            "The worker running this job stopped responding (1 of at most 5 times); the job went"
                + " back to the queue.");
    assertThat(done.attempts()).isEqualTo(1);
    assertThat(done.crashes()).isEqualTo(1);
    assertThat(done.leaseOwner()).isNull();
    assertThat(done.error()).isNull();
  }

  @Test
  void aJobWhoseWorkerDiesMaxCrashesTimesFailsWithoutUsingUpItsAttempts() throws Exception {
    Job job = enqueue();
    assertThat(job.maxCrashes()).isEqualTo(5);
    JobClaimer shortLeases = new JobClaimer(jobs, Set.of(kind), Duration.ofMillis(50));
    LeaseReaper reaper = new LeaseReaper(jobs);
    List<JobState> afterEachCrash = new ArrayList<>();

    List<Job> reaped = List.of();
    for (int crash = 1; crash <= 5; crash++) {
      shortLeases.claim("dead-worker-" + crash).orElseThrow();
      Thread.sleep(100);
      reaped = reaper.reap();
      afterEachCrash.add(reload(job).state());
    }

    assertThat(afterEachCrash)
        .containsExactly(
            JobState.QUEUED, JobState.QUEUED, JobState.QUEUED, JobState.QUEUED, JobState.FAILED);
    Job failed = reload(job);
    assertThat(reaped).extracting(Job::id).contains(job.id());
    assertThat(failed.attempts()).isZero();
    assertThat(failed.crashes()).isEqualTo(5);
    assertThat(failed.error())
        .isEqualTo(
            "The worker running this job stopped responding 5 times (it crashed, was killed or"
                + " lost its node), so the job was given up.");
    assertThat(failed.finishedAt()).isNotNull();
  }

  @Test
  void cancelStopsARunningJobWithinAboutOneHeartbeat() {
    Job job = enqueue();
    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger stepsRun = new AtomicInteger();
    AtomicReference<StopReason> stopSeen = new AtomicReference<>();
    WorkerPool pool =
        pool(
            fastProperties(1), // heartbeat every 100 ms
            handler(
                kind,
                context -> {
                  started.countDown();
                  try {
                    for (int step = 1; step <= 10_000; step++) {
                      context.throwIfCanceled();
                      Thread.sleep(10);
                      stepsRun.incrementAndGet();
                    }
                  } finally {
                    stopSeen.set(context.stopReason());
                  }
                }));
    pool.start();
    awaitLatch(started);

    long requested = System.nanoTime();
    jobService.cancel(tenant, job.id());
    Job canceled = awaitState(job, JobState.CANCELED, Duration.ofSeconds(5));
    Duration tookToStop = Duration.ofNanos(System.nanoTime() - requested);

    assertThat(tookToStop).isLessThan(Duration.ofSeconds(2));
    assertThat(stopSeen.get()).isEqualTo(StopReason.CANCEL_REQUESTED);
    assertThat(stepsRun.get()).isLessThan(10_000);
    assertThat(canceled.cancelRequested()).isTrue();
    assertThat(canceled.leaseOwner()).isNull();
    assertThat(canceled.finishedAt()).isNotNull();
    assertThat(canceled.error()).isNull();
  }

  @Test
  void aCanceledQueuedJobNeverRuns() {
    Job job = enqueue();
    jobService.cancel(tenant, job.id());
    AtomicInteger runs = new AtomicInteger();

    boolean ran = worker(context -> runs.incrementAndGet()).runNextJob();

    assertThat(ran).isFalse();
    assertThat(runs).hasValue(0);
    assertThat(reload(job).state()).isEqualTo(JobState.CANCELED);
  }

  @Test
  void failedAttemptsBackOffExponentiallyThenTheJobFailsWithAReadableError() {
    Job job = enqueue();
    assertThat(job.maxAttempts()).isEqualTo(3);
    Worker worker = // backoff base 200 ms, cap 1 s
        worker(
            context -> {
              throw new IllegalStateException(
                  "the GPU ran out of memory\n\tat ai.djl.pytorch.jni.PyTorchLibrary");
            });

    assertThat(worker.runNextJob()).isTrue();
    Job afterFirst = reload(job);
    assertThat(afterFirst.state()).isEqualTo(JobState.QUEUED);
    assertThat(afterFirst.attempts()).isEqualTo(1);
    assertThat(Duration.between(afterFirst.updatedAt(), afterFirst.runAfter()))
        .isEqualTo(Duration.ofMillis(200));
    assertThat(afterFirst.error())
        .isEqualTo(
            "Attempt 1 of 3 failed: The GPU ran out of memory. It will be retried in 200 ms.");
    assertThat(worker.runNextJob()).as("not due before run_after").isFalse();

    runWhenDue(worker);
    Job afterSecond = reload(job);
    assertThat(afterSecond.state()).isEqualTo(JobState.QUEUED);
    assertThat(afterSecond.attempts()).isEqualTo(2);
    assertThat(Duration.between(afterSecond.updatedAt(), afterSecond.runAfter()))
        .isEqualTo(Duration.ofMillis(400));

    runWhenDue(worker);
    Job failed = reload(job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.error())
        .isEqualTo(
            "The job failed 3 times and was given up. The last attempt failed: The GPU ran out of"
                + " memory.")
        .doesNotContain("\tat ", "Exception");
    assertThat(failed.finishedAt()).isNotNull();
    assertThat(failed.leaseOwner()).isNull();
    assertThat(worker.runNextJob()).isFalse();
  }

  @Test
  void aTerminalFailureFailsTheJobAtOnce() {
    Job job = enqueue();
    Worker worker =
        worker(
            context -> {
              throw new TerminalJobException(
                  "the concept has no images, so there is nothing to learn from");
            });

    assertThat(worker.runNextJob()).isTrue();

    Job failed = reload(job);
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.error())
        .isEqualTo("The concept has no images, so there is nothing to learn from.");
  }

  @Test
  void aCompletedJobSucceedsWithItsResult() {
    Job job = enqueue();
    Worker worker = worker(context -> context.complete("{\"embedding\": \"e1\"}"));

    assertThat(worker.runNextJob()).isTrue();

    Job done = reload(job);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result()).isEqualTo("{\"embedding\": \"e1\"}");
    assertThat(done.progress()).isEqualTo(1.0);
    assertThat(done.startedAt()).isNotNull();
    assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
  }

  @Test
  void progressReportsUpdateProgressStepTheHandlersDetailAndEta() {
    Job job = enqueue();
    Job claimed =
        new JobClaimer(jobs, Set.of(kind), Duration.ofSeconds(30))
            .claim("progress-worker")
            .orElseThrow();
    SteppingClock clock = new SteppingClock(Instant.parse("2026-11-26T12:00:00Z"));
    JobContext context = new JobContext(claimed, "progress-worker", "cpu", jobs, clock);

    context.reportProgress(2, 10, "{\"lastLoss\": 0.9, \"embeddingNorm\": 0.45}");
    Job afterFirst = reload(job);
    clock.advance(Duration.ofSeconds(30));
    context.reportProgress(5, 10, "{\"lastLoss\": 0.4, \"embeddingNorm\": 0.5}");
    Job afterSecond = reload(job);

    assertThat(afterFirst.progress()).isEqualTo(0.2);
    assertThat(afterFirst.currentStep()).isEqualTo(2);
    assertThat(afterFirst.totalSteps()).isEqualTo(10);
    assertThat(PayloadValues.number(afterFirst.progressDetail(), "lastLoss")).isEqualTo(0.9);
    assertThat(PayloadValues.number(afterFirst.progressDetail(), "embeddingNorm")).isEqualTo(0.45);
    assertThat(afterFirst.etaSeconds()).as("unknown until a step was timed").isNull();
    assertThat(afterSecond.progress()).isEqualTo(0.5);
    assertThat(afterSecond.currentStep()).isEqualTo(5);
    assertThat(PayloadValues.number(afterSecond.progressDetail(), "lastLoss")).isEqualTo(0.4);
    assertThat(PayloadValues.number(afterSecond.progressDetail(), "embeddingNorm")).isEqualTo(0.5);
    assertThat(afterSecond.etaSeconds()).as("3 steps in 30 s, 5 to go").isEqualTo(50.0);
    assertThat(context.isCancelRequested()).isFalse();
  }

  @Test
  void aWorkerThatLostItsLeaseIsToldToStopAndCannotFinishTheJob() {
    Job job = enqueue();
    Job claimed =
        new JobClaimer(jobs, Set.of(kind), Duration.ofSeconds(30))
            .claim("slow-worker")
            .orElseThrow();
    JobContext context = new JobContext(claimed, "slow-worker", "cpu", jobs, Instant::now);
    jdbc.sql("UPDATE jobs SET lease_owner = 'another-worker' WHERE id = :id")
        .param("id", job.id())
        .update();

    context.reportProgress(1, 10, null);

    assertThat(context.stopReason()).isEqualTo(StopReason.LEASE_LOST);
    assertThat(jobs.markSucceeded(job.id(), "slow-worker", null)).isFalse();
    assertThat(reload(job).state()).isEqualTo(JobState.RUNNING);
    assertThat(reload(job).currentStep()).isZero();
  }

  @Test
  void shutdownReturnsARunningJobToTheQueueWithoutUsingAnAttempt() {
    Job job = enqueue();
    CountDownLatch started = new CountDownLatch(1);
    WorkerPool pool =
        pool(
            fastProperties(1),
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
    awaitLatch(started);

    long stopping = System.nanoTime();
    pool.stop();
    Duration tookToStop = Duration.ofNanos(System.nanoTime() - stopping);

    Job released = reload(job);
    assertThat(tookToStop).isLessThan(Duration.ofSeconds(2));
    assertThat(released.state()).isEqualTo(JobState.QUEUED);
    assertThat(released.attempts()).isZero();
    assertThat(released.leaseOwner()).isNull();
    assertThat(released.finishedAt()).isNull();
    assertThat(released.runAfter()).isBeforeOrEqualTo(Instant.now());
  }

  @Test
  void aHandlerThatIgnoresShutdownIsInterruptedAfterTheGraceAndItsJobRequeued() {
    Job job = enqueue();
    CountDownLatch started = new CountDownLatch(1);
    WorkerProperties shortGrace = fastProperties(List.of("cpu"), 1, Duration.ofMillis(300));
    WorkerPool pool =
        pool(
            shortGrace,
            handler(
                kind,
                context -> {
                  started.countDown();
                  Thread.sleep(60_000); // a long native call that never checks for cancel
                }));
    pool.start();
    awaitLatch(started);

    pool.stop();

    Job released = reload(job);
    assertThat(released.state()).isEqualTo(JobState.QUEUED);
    assertThat(released.attempts()).isZero();
  }

  @Test
  void aJobOfAKindNoWorkerHandlesWaitsInTheQueue() {
    Job unhandled = jobService.enqueue(tenant, kind + "-unhandled", "{}", 100);
    Worker worker = worker(context -> {});

    boolean ran = worker.runNextJob();

    Job still = reload(unhandled);
    assertThat(ran).isFalse();
    assertThat(still.state()).isEqualTo(JobState.QUEUED);
    assertThat(still.attempts()).isZero();
    jobService.cancel(tenant, unhandled.id());
  }

  @Test
  void workersRunOnePerDeviceOnNamedPlatformThreads() {
    Set<Thread> seen = ConcurrentHashMap.newKeySet();
    Job job = enqueue();
    WorkerPool pool =
        pool(
            fastProperties(List.of("cpu"), 2, Duration.ofSeconds(5)),
            handler(kind, context -> seen.add(Thread.currentThread())));

    pool.start();
    awaitState(job, JobState.SUCCEEDED, Duration.ofSeconds(10));

    assertThat(pool.workerNames()).containsExactly("dti-worker-cpu-0", "dti-worker-cpu-1");
    assertThat(seen)
        .singleElement()
        .satisfies(
            thread -> {
              assertThat(thread.isVirtual()).isFalse();
              assertThat(thread.getName()).startsWith("dti-worker-cpu-");
            });
    assertThat(WorkerPool.threadNamePart("gpu:1")).isEqualTo("gpu1");
  }

  private void runWhenDue(Worker worker) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(25))
        .until(worker::runNextJob);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).as("handler started").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A clock the test moves by hand. */
  static final class SteppingClock implements java.time.InstantSource {
    private Instant now;

    SteppingClock(Instant start) {
      this.now = start;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
