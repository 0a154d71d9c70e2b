package dev.dti.job;

import java.util.Optional;

/**
 * Does the work of one kind of job. Every Spring bean of this type is found by the worker pool; a
 * worker only claims jobs of kinds that have a handler, so jobs of other kinds wait in the queue.
 *
 * <p>{@link #run} is called on a dedicated platform thread of one device (see {@link
 * JobContext#device()}). It should report progress and call {@link JobContext#throwIfCanceled()}
 * between steps, and may call {@link JobContext#complete(String)} with its result. Throwing {@link
 * TerminalJobException} fails the job at once; any other exception is retried with backoff.
 */
public interface JobHandler {

  /** The job kind this handler runs, e.g. {@link JobKinds#TRAINING}. */
  String kind();

  void run(JobContext context) throws Exception;

  /**
   * How a worker can step several jobs of this kind together, or empty (the default) when each job
   * runs alone in {@link #run}. A worker with {@code dti.worker.batch-jobs} of one always calls
   * {@link #run}.
   */
  default Optional<JobBatching> batching() {
    return Optional.empty();
  }
}
