package dev.dti.job;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a {@link JobHandler} gets for one attempt of one job: the job as claimed, the device to run
 * on, progress reporting, and the stop signal set by the lease heartbeat (cancel), by shutdown, or
 * by a lost lease.
 */
public final class JobContext {

  private final Job job;
  private final String owner;
  private final String device;
  private final JobRepository jobs;
  private final InstantSource clock;
  private final AtomicReference<StopReason> stopReason = new AtomicReference<>();
  private volatile String resultJson;
  private volatile boolean completed;
  private Instant firstReportAt;
  private int firstReportStep;
  private volatile int lastReportedStep;

  JobContext(Job job, String owner, String device, JobRepository jobs, InstantSource clock) {
    this.job = job;
    this.owner = owner;
    this.device = device;
    this.jobs = jobs;
    this.clock = clock;
    if (job.cancelRequested()) {
      requestStop(StopReason.CANCEL_REQUESTED);
    }
  }

  /** The job as it was claimed (state running, attempts already counting this attempt). */
  public Job job() {
    return job;
  }

  public UUID jobId() {
    return job.id();
  }

  /** The job's input, as JSON text. */
  public String payload() {
    return job.payload();
  }

  /** The device this worker owns, as configured: {@code cpu}, {@code gpu:0}, … */
  public String device() {
    return device;
  }

  /** The name of the worker holding the lease, e.g. {@code host-1a2b/dti-worker-cpu-0}. */
  public String owner() {
    return owner;
  }

  /**
   * Records that {@code step} of {@code totalSteps} is done. Progress is {@code step/totalSteps};
   * the ETA extrapolates the speed measured since the first report of this attempt (so model
   * loading and steps done before a resume do not distort it) and is unknown until the second
   * report. {@code detailJson} is what the handler reports besides (a JSON object it owns, e.g. a
   * training job's loss and norm; null for none). Writes the row and its {@code progress} event;
   * call it once a step or less often.
   */
  public void reportProgress(int step, int totalSteps, String detailJson) {
    if (step < 0 || totalSteps < 0) {
      throw new IllegalArgumentException("step and totalSteps must not be negative");
    }
    lastReportedStep = step;
    Instant now = clock.instant();
    if (firstReportAt == null) {
      firstReportAt = now;
      firstReportStep = step;
    }
    double progress = totalSteps == 0 ? 0 : Math.min(1.0, (double) step / totalSteps);
    Double eta = etaSeconds(firstReportStep, firstReportAt, step, now, totalSteps);
    boolean stillOurs =
        jobs.updateProgress(job.id(), owner, step, totalSteps, progress, detailJson, eta);
    if (!stillOurs) {
      requestStop(StopReason.LEASE_LOST);
    }
  }

  /** The step of the last progress report of this attempt (the claimed job's step before one). */
  int lastReportedStep() {
    return firstReportAt == null ? job.currentStep() : lastReportedStep;
  }

  /**
   * Seconds left at the speed seen between two reports; null while no step has completed since the
   * first report.
   */
  static Double etaSeconds(int firstStep, Instant firstAt, int step, Instant now, int totalSteps) {
    int stepsDone = step - firstStep;
    if (stepsDone <= 0) {
      return null;
    }
    double secondsPerStep = Duration.between(firstAt, now).toNanos() / 1e9 / stepsDone;
    return Math.max(0, totalSteps - step) * secondsPerStep;
  }

  /**
   * True once the handler should stop at the next step boundary: the job was canceled, the service
   * is shutting down, or the lease was lost. Cheap: reads a flag set by the heartbeat thread.
   */
  public boolean isCancelRequested() {
    return stopReason.get() != null;
  }

  /** Throws {@link JobStoppedException} if {@link #isCancelRequested()}; call between steps. */
  public void throwIfCanceled() {
    StopReason reason = stopReason.get();
    if (reason != null) {
      throw new JobStoppedException(reason);
    }
  }

  /** Why the handler was asked to stop, or null. */
  public StopReason stopReason() {
    return stopReason.get();
  }

  /**
   * Hands over the result (JSON text, may be null); the job is marked succeeded when {@link
   * JobHandler#run} returns. A completed job stays succeeded even if a cancel arrives afterwards.
   */
  public void complete(String resultJson) {
    this.resultJson = resultJson;
    this.completed = true;
  }

  boolean isCompleted() {
    return completed;
  }

  String resultJson() {
    return resultJson;
  }

  void requestStop(StopReason reason) {
    stopReason.accumulateAndGet(reason, StopReason::stronger);
  }
}
