package dev.dti.job;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker: a loop on its own platform thread that claims a job, runs its handler on this
 * worker's device, and records the outcome. It runs one job at a time.
 */
final class Worker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final String name;
  private final String owner;
  private final String device;
  private final JobClaimer claimer;
  private final Map<String, JobHandler> handlers;
  private final JobRepository jobs;
  private final LeaseHeartbeat heartbeat;
  private final RetryPolicy retryPolicy;
  private final Duration pollInterval;
  private final MeterRegistry meters;
  private final InstantSource clock;
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  private final Object busyClock = new Object();
  private long busyNanosOfFinishedJobs;
  private long busySinceNanos;
  private volatile boolean stopping;
  private volatile JobContext current;

  Worker(
      String name,
      String owner,
      String device,
      JobClaimer claimer,
      Map<String, JobHandler> handlers,
      JobRepository jobs,
      LeaseHeartbeat heartbeat,
      RetryPolicy retryPolicy,
      Duration pollInterval,
      MeterRegistry meters,
      InstantSource clock) {
    this.name = name;
    this.owner = owner;
    this.device = device;
    this.claimer = claimer;
    this.handlers = Map.copyOf(handlers);
    this.jobs = jobs;
    this.heartbeat = heartbeat;
    this.retryPolicy = retryPolicy;
    this.pollInterval = pollInterval;
    this.meters = meters;
    this.clock = clock;
    // rate(dti_worker_busy_seconds_total[5m]) is the share of time this worker ran a job.
    FunctionCounter.builder("dti.worker.busy", this, Worker::busySeconds)
        .baseUnit("seconds")
        .description("Time this worker spent running jobs")
        .tag("worker", name)
        .tag("device", device)
        .register(meters);
    Gauge.builder("dti.worker.active", this, w -> w.current == null ? 0 : 1)
        .description("1 while this worker runs a job, 0 while it waits for one")
        .tag("worker", name)
        .tag("device", device)
        .register(meters);
  }

  String name() {
    return name;
  }

  @Override
  public void run() {
    log.info("Worker {} on device {} started as {}", name, device, owner);
    while (!stopping) {
      boolean ranJob = false;
      try {
        ranJob = runNextJob();
      } catch (RuntimeException e) {
        log.warn("Worker {} could not take a job from the queue: {}", name, e.toString());
      }
      if (!ranJob && !waitBeforeNextPoll()) {
        break;
      }
    }
    log.info("Worker {} stopped", name);
  }

  /** Claims and runs one job on the calling thread; false if none was runnable. */
  boolean runNextJob() {
    if (stopping) {
      return false;
    }
    Optional<Job> claimed = claimer.claim(owner);
    claimed.ifPresent(this::execute);
    return claimed.isPresent();
  }

  /** Asks the worker to stop claiming, and its running handler (if any) to stop at a step. */
  void stop() {
    stopping = true;
    JobContext running = current;
    if (running != null) {
      running.requestStop(StopReason.SHUTDOWN);
    }
    stopSignal.countDown();
  }

  private boolean waitBeforeNextPoll() {
    try {
      stopSignal.await(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private void execute(Job job) {
    JobContext context = new JobContext(job, owner, device, jobs, clock);
    current = context;
    heartbeat.watch(context);
    if (stopping) {
      context.requestStop(StopReason.SHUTDOWN);
    }
    long started = markBusy();
    String outcome = "unrecorded";
    try {
      Throwable failure = null;
      try {
        handlers.get(job.kind()).run(context);
      } catch (Throwable t) {
        failure = t;
      }
      // From here the stop reason is final; the outcome write is fenced by the lease anyway.
      heartbeat.unwatch(context);
      // An interrupted thread cannot borrow a pooled connection: clear the flag to record the end.
      Thread.interrupted();
      outcome = settle(context, failure);
    } catch (RuntimeException e) {
      log.error(
          "Could not record how job {} ended; its lease will expire and the reaper will requeue it",
          job.id(),
          e);
    } finally {
      heartbeat.unwatch(context);
      current = null;
      long elapsed = markIdle(started);
      Timer.builder("dti.job.duration")
          .description("Time from claim to end of one attempt of a job")
          .tag("kind", job.kind())
          .tag("outcome", outcome)
          .register(meters)
          .record(elapsed, TimeUnit.NANOSECONDS);
    }
  }

  /** Writes the end of the attempt; returns the outcome tag for metrics. */
  private String settle(JobContext context, Throwable failure) {
    Job job = context.job();
    boolean stoppedCleanly = failure == null || failure instanceof JobStoppedException;
    if (context.isCompleted() && stoppedCleanly) {
      return recorded(job, "succeeded", jobs.markSucceeded(job.id(), owner, context.resultJson()));
    }
    StopReason stop = context.stopReason();
    if (stop != null) {
      return switch (stop) {
        case CANCEL_REQUESTED -> recorded(job, "canceled", jobs.markCanceled(job.id(), owner));
        case SHUTDOWN -> {
          log.info(
              "Job {} stopped at step {} for shutdown; it is back in the queue, its attempt not"
                  + " counted",
              job.id(),
              context.lastReportedStep());
          yield recorded(job, "released", jobs.releaseToQueue(job.id(), owner));
        }
        case LEASE_LOST -> "lost";
      };
    }
    if (failure == null) {
      return recorded(job, "succeeded", jobs.markSucceeded(job.id(), owner, null));
    }
    if (failure instanceof TerminalJobException) {
      log.info("Job {} failed: {}", job.id(), failure.getMessage());
      return recorded(
          job, "failed", jobs.markFailed(job.id(), owner, JobErrorMessages.terminal(failure)));
    }
    if (retryPolicy.mayRetry(job)) {
      Duration delay = retryPolicy.backoffAfter(job.attempts());
      log.warn(
          "Job {} attempt {} of {} failed; retrying in {}",
          job.id(),
          job.attempts(),
          job.maxAttempts(),
          delay,
          failure);
      String error = JobErrorMessages.retrying(job.attempts(), job.maxAttempts(), failure, delay);
      return recorded(job, "retried", jobs.scheduleRetry(job.id(), owner, error, delay));
    }
    log.warn("Job {} failed its last attempt ({})", job.id(), job.attempts(), failure);
    String error = JobErrorMessages.givenUp(job.attempts(), failure);
    return recorded(job, "failed", jobs.markFailed(job.id(), owner, error));
  }

  private String recorded(Job job, String outcome, boolean written) {
    if (!written) {
      log.warn("Job {} ended ({}) after {} lost its lease; not recorded", job.id(), outcome, owner);
      return "lost";
    }
    return outcome;
  }

  private long markBusy() {
    synchronized (busyClock) {
      busySinceNanos = System.nanoTime();
      return busySinceNanos;
    }
  }

  private long markIdle(long started) {
    synchronized (busyClock) {
      long elapsed = System.nanoTime() - started;
      busyNanosOfFinishedJobs += elapsed;
      busySinceNanos = 0;
      return elapsed;
    }
  }

  /** Busy time so far, including the running job, so the counter never jumps at a job's end. */
  private double busySeconds() {
    synchronized (busyClock) {
      long running = busySinceNanos == 0 ? 0 : System.nanoTime() - busySinceNanos;
      return (busyNanosOfFinishedJobs + running) / 1e9;
    }
  }
}
