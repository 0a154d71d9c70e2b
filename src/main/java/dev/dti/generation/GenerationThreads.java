package dev.dti.generation;

import dev.dti.web.ApiProblem;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * The dedicated platform threads that run synchronous generations ({@code dti-generate-0}, …),
 * never the request's (virtual) thread: a JNI call pins its carrier, and libtorch keeps per-thread
 * state. A bounded queue and a per-tenant limit keep one tenant from filling it; both answer 429
 * with {@code Retry-After}.
 */
@Component
public class GenerationThreads {

  /** A tenant's slot; closing it frees the slot (closing twice frees it once). */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  private final GenerationProperties properties;
  private final ThreadPoolExecutor pool;
  private final Map<UUID, Integer> running = new ConcurrentHashMap<>();

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
   * Takes one of the tenant's {@code max-concurrent-per-tenant} slots.
   *
   * @throws ApiProblem 429 when the tenant already uses all of them
   */
  public Permit acquire(UUID tenantId) {
    int limit = properties.maxConcurrentPerTenant();
    boolean[] granted = {false};
    running.compute(
        tenantId,
        (id, count) -> {
          int current = count == null ? 0 : count;
          if (current >= limit) {
            return count;
          }
          granted[0] = true;
          return current + 1;
        });
    if (!granted[0]) {
      throw ApiProblem.tooManyRequests(
          "This tenant already runs "
              + limit
              + " synchronous generation"
              + (limit == 1 ? "" : "s")
              + ", the most allowed at once; retry when one has finished.",
          properties.retryAfter());
    }
    var released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        running.computeIfPresent(tenantId, (id, count) -> count <= 1 ? null : count - 1);
      }
    };
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
