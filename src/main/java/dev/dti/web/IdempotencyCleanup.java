package dev.dti.web;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Deletes expired {@code Idempotency-Key}s every {@code dti.idempotency.cleanup-interval}. */
@Component
class IdempotencyCleanup implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(IdempotencyCleanup.class);

  private final IdempotencyRepository keys;
  private final IdempotencyProperties properties;
  private ScheduledExecutorService thread;

  IdempotencyCleanup(IdempotencyRepository keys, IdempotencyProperties properties) {
    this.keys = keys;
    this.properties = properties;
  }

  /** Deletes the expired keys now; never throws. */
  int cleanUp() {
    try {
      int deleted = keys.deleteExpired();
      if (deleted > 0) {
        log.debug("Deleted {} expired idempotency keys", deleted);
      }
      return deleted;
    } catch (RuntimeException e) {
      log.warn("Could not delete expired idempotency keys: {}", e.toString());
      return 0;
    }
  }

  @Override
  public synchronized void start() {
    long millis = properties.cleanupInterval().toMillis();
    thread =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("dti-idempotency-cleanup").daemon(true).factory());
    thread.scheduleWithFixedDelay(this::cleanUp, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (thread != null) {
      thread.shutdownNow();
      thread = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return thread != null;
  }
}
