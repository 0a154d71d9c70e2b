package dev.dti.generation;

import dev.dti.web.ApiProblem;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The dedicated platform threads that run synchronous generations ({@code dti-generate-0}, …),
 * never the request's (virtual) thread: a JNI call pins its carrier, and libtorch keeps per-thread
 * state. A bounded queue keeps requests from piling up (429 with {@code Retry-After} beyond it);
 * what one tenant may ask for is its {@code generation} rate limit (security.RateLimitFilter).
 */
@Component
public class GenerationThreads {

  private final GenerationProperties properties;
  private final ThreadPoolExecutor pool;

  public GenerationThreads(GenerationProperties properties) {
    this.properties = properties;
    int threads = properties.syncThreads();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            properties.syncQueue() == 0
                ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(properties.syncQueue()),
            Thread.ofPlatform().name("dti-generate-", 0).daemon(true).factory(),
            new ThreadPoolExecutor.AbortPolicy());
  }

  /**
   * Runs model work on a generation thread and waits for its result.
   *
   * @throws ApiProblem 429 when every thread is busy and the queue is full
   */
  public <T> T call(Callable<T> work) {
    Future<T> future;
    try {
      future = pool.submit(work);
    } catch (RejectedExecutionException e) {
      throw ApiProblem.tooManyRequests(
          "Every generation thread is busy and "
              + properties.syncQueue()
              + " requests are waiting; retry shortly.",
          properties.retryAfter());
    }
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a generation", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  @PreDestroy
  void stop() {
    pool.shutdownNow();
  }
}
