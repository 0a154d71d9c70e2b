package dev.dti.job;

/**
 * Why a running handler is asked to stop between two steps; when several apply, the later constant
 * wins.
 */
public enum StopReason {
  /** This process is shutting down: the job goes back to the queue for another worker. */
  SHUTDOWN,
  /** A user canceled the job: it ends {@code canceled}. */
  CANCEL_REQUESTED,
  /** The lease expired and the reaper gave the job away: this worker must not write to it again. */
  LEASE_LOST;

  static StopReason stronger(StopReason current, StopReason requested) {
    return current == null || requested.compareTo(current) > 0 ? requested : current;
  }
}
