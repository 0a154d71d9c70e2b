package dev.dti.job;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker: a loop on its own platform thread that claims a job, runs its handler on this
 * worker's device, and records the outcome.
 *
 * <p>With {@code batchJobs} of one, or for a handler that cannot batch, it runs one job at a time
 * ({@link JobHandler#run}). Otherwise it holds up to {@code batchJobs} jobs of one batching handler
 * ({@link JobBatching}) and steps them together: before each step it claims more while it holds
 * fewer (one job at a time, with the fair claim; at most once a poll interval when the queue had
 * none), and after each step the jobs that ended are recorded one by one, exactly as a job run
 * alone is recorded, while the others go on.
 */
final class Worker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final String name;
  private final String owner;
  private final String device;
  private final int batchJobs;
  private final JobClaimer claimer;
  private final Map<String, JobHandler> handlers;
  private final JobRepository jobs;
  private final LeaseHeartbeat heartbeat;
  private final RetryPolicy retryPolicy;
  private final Duration pollInterval;
  private final MeterRegistry meters;
  private final InstantSource clock;
  private final DistributionSummary stepWidth;
  private volatile CountDownLatch stopSignal = new CountDownLatch(1);
  private final Object busyClock = new Object();
  private long busyNanosOfFinishedJobs;
  private long busySinceNanos;
  private volatile boolean stopping;

  /** Contexts of the jobs this worker holds now, for stop() and the gauges. */
  private final Set<JobContext> running = ConcurrentHashMap.newKeySet();

  /** The jobs held for batched steps, in claim order; touched by the worker thread only. */
  private final List<Held> held = new ArrayList<>();

  private long nextBatchClaimNanos;

  private record Held(JobContext context, JobBatching.Session session, long claimedNanos) {}

  Worker(
      String name,
      String owner,
      String device,
      int batchJobs,
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
    this.batchJobs = batchJobs;
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
    Gauge.builder("dti.worker.active", this, w -> w.running.isEmpty() ? 0 : 1)
        .description("1 while this worker runs a job, 0 while it waits for one")
        .tag("worker", name)
        .tag("device", device)
        .register(meters);
    Gauge.builder("dti.worker.jobs", this, w -> w.running.size())
        .description("Jobs this worker holds now (more than one when it steps jobs together)")
        .tag("worker", name)
        .tag("device", device)
        .register(meters);
    this.stepWidth =
        DistributionSummary.builder("dti.worker.batch.step.jobs")
            .description("Jobs advanced by one batched step of this worker")
            .tag("worker", name)
            .tag("device", device)
            .register(meters);
  }

  String name() {
    return name;
  }

  int batchJobs() {
    return batchJobs;
  }

  @Override
  public void run() {
    log.info(
        "Worker {} on device {} started as {}, stepping up to {} job(s) together",
        name,
        device,
        owner,
        batchJobs);
    while (!stopping || !held.isEmpty()) {
      boolean worked = false;
      try {
        worked = held.isEmpty() ? runNextJob() : stepHeldJobs();
      } catch (RuntimeException e) {
        log.warn("Worker {} could not take a job from the queue: {}", name, e.toString());
      }
      if (!worked && held.isEmpty() && !waitBeforeNextPoll()) {
        break;
      }
    }
    log.info("Worker {} stopped", name);
  }

  /**
   * Claims one job and runs it on the calling thread; or, when its handler batches and this worker
   * steps several jobs together, opens it to be stepped by {@link #stepHeldJobs()}. False if no job
   * was runnable.
   */
  boolean runNextJob() {
    if (stopping) {
      return false;
    }
    Optional<Job> claimed = claimer.claim(owner);
    claimed.ifPresent(this::start);
    return claimed.isPresent();
  }

  /**
   * One step of the held jobs: first claims more (non-blocking) while fewer than {@code batchJobs}
   * are held, then steps all of them once and records those that ended. False if none is held.
   */
  boolean stepHeldJobs() {
    if (held.isEmpty()) {
      return false;
    }
    JobBatching batching = handlers.get(held.getFirst().context().job().kind()).batching().get();
    claimMoreToBatch(batching);
    List<Held> stepping = List.copyOf(held);
    List<JobBatching.Session> sessions = stepping.stream().map(Held::session).toList();
    List<JobBatching.Outcome> outcomes;
    try {
      outcomes = batching.step(sessions);
      if (outcomes.size() != sessions.size()) {
        throw new IllegalStateException(
            "a batched step returned %d outcomes for %d jobs"
                .formatted(outcomes.size(), sessions.size()));
      }
    } catch (Throwable t) {
      outcomes = Collections.nCopies(sessions.size(), JobBatching.Outcome.failed(t));
    }
    stepWidth.record(sessions.size());
    for (int i = 0; i < stepping.size(); i++) {
      JobBatching.Outcome outcome = outcomes.get(i);
      if (outcome.ended()) {
        Held ended = stepping.get(i);
        held.remove(ended);
        closeQuietly(ended.session());
        end(ended.context(), ended.claimedNanos(), outcome.failure());
      }
    }
    return true;
  }

  /**
   * Makes a stopped worker ready to run again (a pool started after a stop, as a paused Spring
   * context restarts it); called before its new thread starts.
   */
  void prepareToRun() {
    stopSignal = new CountDownLatch(1);
    stopping = false;
  }

  /** Asks the worker to stop claiming, and its running handlers (if any) to stop at a step. */
  void stop() {
    stopping = true;
    for (JobContext context : running) {
      context.requestStop(StopReason.SHUTDOWN);
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

  private void start(Job job) {
    Optional<JobBatching> batching =
        batchJobs > 1 ? handlers.get(job.kind()).batching() : Optional.empty();
    if (batching.isPresent()) {
      open(job, batching.get());
    } else {
      execute(job);
    }
  }

  /**
   * Claims jobs of the held kind, one at a time, until {@code batchJobs} are held or none is due.
   */
  private void claimMoreToBatch(JobBatching batching) {
    if (stopping || held.size() >= batchJobs || System.nanoTime() < nextBatchClaimNanos) {
      return;
    }
    Set<String> kind = Set.of(held.getFirst().context().job().kind());
    while (!stopping && held.size() < batchJobs) {
      Optional<Job> next;
      try {
        next = claimer.claim(owner, kind);
      } catch (RuntimeException e) {
        log.warn("Worker {} could not take a job from the queue: {}", name, e.toString());
        next = Optional.empty();
      }
      if (next.isEmpty()) {
        nextBatchClaimNanos = System.nanoTime() + pollInterval.toNanos();
        return;
      }
      open(next.get(), batching);
    }
  }

  /** Opens a claimed job for batched steps; a job that cannot be opened ends at once. */
  private void open(Job job, JobBatching batching) {
    long claimed = System.nanoTime();
    JobContext context = begin(job);
    try {
      held.add(new Held(context, batching.open(context), claimed));
    } catch (Throwable t) {
      end(context, claimed, t);
    }
  }

  private void execute(Job job) {
    long claimed = System.nanoTime();
    JobContext context = begin(job);
    Throwable failure = null;
    try {
      handlers.get(job.kind()).run(context);
    } catch (Throwable t) {
      failure = t;
    }
    end(context, claimed, failure);
  }

  /** A claimed job becomes this worker's: its context is heartbeated and told about a shutdown. */
  private JobContext begin(Job job) {
    JobContext context = new JobContext(job, owner, device, jobs, clock);
    synchronized (busyClock) {
      if (running.isEmpty()) {
        busySinceNanos = System.nanoTime();
      }
      running.add(context);
    }
    heartbeat.watch(context);
    if (stopping) {
      context.requestStop(StopReason.SHUTDOWN);
    }
    return context;
  }

  /** Records how one job's attempt ended and lets go of it. */
  private void end(JobContext context, long claimedNanos, Throwable failure) {
    Job job = context.job();
    String outcome = "unrecorded";
    // From here the stop reason is final; the outcome write is fenced by the lease anyway.
    heartbeat.unwatch(context);
    // An interrupted thread cannot borrow a pooled connection: clear the flag to record the end,
    // and set it again for the jobs still held.
    boolean interrupted = Thread.interrupted();
    try {
      outcome = settle(context, failure);
    } catch (RuntimeException e) {
      log.error(
          "Could not record how job {} ended; its lease will expire and the reaper will requeue it",
          job.id(),
          e);
    } finally {
      if (interrupted && !held.isEmpty()) {
        Thread.currentThread().interrupt();
      }
      long now = System.nanoTime();
      synchronized (busyClock) {
        running.remove(context);
        if (running.isEmpty()) {
          busyNanosOfFinishedJobs += now - busySinceNanos;
          busySinceNanos = 0;
        }
      }
      Timer.builder("dti.job.duration")
          .description("Time from claim to end of one attempt of a job")
          .tag("kind", job.kind())
          .tag("outcome", outcome)
          .register(meters)
          .record(now - claimedNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void closeQuietly(JobBatching.Session session) {
    try {
      session.close();
    } catch (RuntimeException e) {
      log.warn("Job {} could not be closed cleanly: {}", session.context().jobId(), e.toString());
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

  /** Busy time so far, including the running job, so the counter never jumps at a job's end. */
  private double busySeconds() {
    synchronized (busyClock) {
      long current = busySinceNanos == 0 ? 0 : System.nanoTime() - busySinceNanos;
      return (busyNanosOfFinishedJobs + current) / 1e9;
    }
  }
}
