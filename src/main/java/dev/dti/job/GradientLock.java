package dev.dti.job;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The one permit to collect gradients in this JVM. DJL's PyTorch engine allows a single active
 * {@code GradientCollector} per JVM (a static flag; a second one, even on another thread, throws "A
 * PtGradientCollector is already collecting"), so a training handler holds this lock around each
 * {@code newGradientCollector()} … {@code backward()} block:
 *
 * <pre>{@code
 * try (GradientLock.Held held = gradientLock.acquire();
 *     GradientCollector collector = trainer.newGradientCollector()) {
 *   collector.backward(loss);
 * }
 * }</pre>
 *
 * <p>The lock is fair, so workers on several devices of one JVM take turns in arrival order; their
 * forward passes without gradients, sampling and data preparation still overlap. Production runs
 * one device per JVM (one pod per GPU, {@code dti.worker.devices=gpu:0}) and never waits here.
 *
 * <p>It is a JVM-wide singleton, not a per-context bean, because the DJL restriction is per JVM:
 * two Spring contexts in one JVM (as in tests) must share it.
 */
public final class GradientLock {

  private static final GradientLock JVM_WIDE = new GradientLock();

  private final ReentrantLock lock = new ReentrantLock(true);

  private GradientLock() {}

  public static GradientLock jvmWide() {
    return JVM_WIDE;
  }

  /**
   * Waits for the lock; interruptible so that shutdown can stop a waiting worker. Release it by
   * closing the returned hold on the same thread.
   */
  public Held acquire() throws InterruptedException {
    lock.lockInterruptibly();
    return new Held();
  }

  public boolean isHeldByCurrentThread() {
    return lock.isHeldByCurrentThread();
  }

  /** Threads waiting for the lock now. */
  public int waiting() {
    return lock.getQueueLength();
  }

  /** The held lock; closing it releases the lock (once). */
  public final class Held implements AutoCloseable {
    private boolean released;

    private Held() {}

    @Override
    public void close() {
      if (!released) {
        released = true;
        lock.unlock();
      }
    }
  }
}
