package dev.dti.webhook;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A platform thread that runs a pass again and again: at once when the pass says more work is
 * waiting, otherwise after {@code interval} or when woken. A failing pass is logged and tried again
 * after the interval. Stopping lets the current pass end; it is never interrupted (a JDBC call in
 * the middle of a transaction would be cut).
 */
final class PollLoop {

  private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

  private final String name;
  private final Duration interval;
  private final BooleanSupplier pass;
  private volatile Thread thread;
  private volatile boolean running;

  /** {@code pass} answers whether more work is waiting. */
  PollLoop(String name, Duration interval, BooleanSupplier pass) {
    this.name = name;
    this.interval = interval;
    this.pass = pass;
  }

  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = Thread.ofPlatform().name(name).daemon().start(this::loop);
  }

  synchronized void stop() {
    running = false;
    Thread current = thread;
    if (current != null) {
      LockSupport.unpark(current);
      try {
        current.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    thread = null;
  }

  boolean isRunning() {
    return running;
  }

  /** Runs the next pass now instead of after the interval. */
  void wake() {
    Thread current = thread;
    if (current != null) {
      LockSupport.unpark(current);
    }
  }

  private void loop() {
    while (running) {
      boolean more = false;
      try {
        more = pass.getAsBoolean();
      } catch (RuntimeException e) {
        log.warn("{} failed; trying again in {}", name, interval, e);
      }
      if (!more) {
        LockSupport.parkNanos(interval.toNanos());
      }
    }
  }
}
