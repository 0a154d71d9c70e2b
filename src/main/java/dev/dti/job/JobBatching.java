package dev.dti.job;

import java.util.List;

/**
 * The optional capability of a {@link JobHandler} to advance several of its jobs together, one step
 * at a time, on one worker ({@link JobHandler#batching()}). A worker with {@code
 * dti.worker.batch-jobs} above one holds up to that many jobs of such a handler: it opens a {@link
 * Session} for each job it claims and calls {@link #step} with all of them until each one ends.
 * Between two steps it claims more jobs (one at a time, with the ordinary fair claim), so a job
 * joins at the next step; a job that ends leaves without disturbing the others.
 *
 * <p>The queue sees each job as it sees a job run by {@link JobHandler#run}: its own lease and
 * heartbeat, progress, cancel, stop reason and outcome. What a step shares between sessions (one
 * forward pass, say) and which sessions can share is the handler's business.
 */
public interface JobBatching {

  /**
   * Prepares one claimed job to be stepped (reads its input, resumes from its checkpoint). Throws
   * as {@link JobHandler#run} would: {@link TerminalJobException} fails the job at once, any other
   * exception is retried with backoff.
   */
  Session open(JobContext context) throws Exception;

  /**
   * Advances every session by one step and returns one outcome per session, in the order given.
   * Sessions whose context has a stop reason should end with {@link Outcome#stopped} after saving
   * what a resume needs, as a handler run alone stops at a step boundary. Throws only when the step
   * failed as a whole: then every session ends with that exception.
   */
  List<Outcome> step(List<Session> sessions) throws Exception;

  /** One open job; {@link #close} frees what {@link #open} acquired. */
  interface Session extends AutoCloseable {

    JobContext context();

    @Override
    void close();
  }

  /**
   * How one session came out of a step: it goes on, it ended (like {@link JobHandler#run}
   * returning; {@link JobContext#complete} may have been called), or it ended with a failure (like
   * {@code run} throwing it).
   */
  record Outcome(boolean ended, Throwable failure) {

    public static final Outcome CONTINUES = new Outcome(false, null);
    public static final Outcome ENDED = new Outcome(true, null);

    public static Outcome failed(Throwable failure) {
      return new Outcome(true, failure);
    }

    /** Stopped at this step for {@code reason}, as {@link JobContext#throwIfCanceled} would. */
    public static Outcome stopped(StopReason reason) {
      return failed(new JobStoppedException(reason));
    }
  }
}
