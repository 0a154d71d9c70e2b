package dev.dti.job;

/**
 * Thrown by {@link JobContext#throwIfCanceled()} to unwind a handler that was asked to stop. The
 * worker decides what happens to the job from {@link JobContext#stopReason()}, so handlers should
 * let it propagate.
 */
public class JobStoppedException extends RuntimeException {

  private final StopReason reason;

  public JobStoppedException(StopReason reason) {
    super("Job stopped: " + reason, null, false, false);
    this.reason = reason;
  }

  public StopReason reason() {
    return reason;
  }
}
