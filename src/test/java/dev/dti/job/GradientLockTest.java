package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GradientLockTest {

  private final GradientLock lock = GradientLock.jvmWide();

  @Test
  void thereIsOneLockForTheWholeJvm() {
    assertThat(GradientLock.jvmWide()).isSameAs(lock);
  }

  @Test
  void onlyOneThreadCollectsGradientsAtATimeAndWaitersGoInArrivalOrder() throws Exception {
    AtomicInteger collecting = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    List<String> order = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try (GradientLock.Held held = lock.acquire()) {
      for (String name : List.of("gpu0", "gpu1", "gpu2")) {
        threads.add(
            Thread.ofPlatform()
                .name(name)
                .start(() -> collect(name, collecting, mostAtOnce, order)));
        int arrived = threads.size();
        await().atMost(Duration.ofSeconds(5)).until(() -> lock.waiting() == arrived);
      }
      assertThat(lock.isHeldByCurrentThread()).isTrue();
    }
    for (Thread thread : threads) {
      thread.join(5_000);
    }

    assertThat(mostAtOnce).hasValue(1);
    assertThat(order).containsExactly("gpu0", "gpu1", "gpu2");
    assertThat(lock.isHeldByCurrentThread()).isFalse();
    assertThat(lock.waiting()).isZero();
  }

  @Test
  void aWaitingWorkerCanBeInterruptedAtShutdown() throws Exception {
    try (GradientLock.Held held = lock.acquire()) {
      var failure = new AtomicReference<Throwable>();
      Thread waiter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (GradientLock.Held never = lock.acquire()) {
                      failure.set(new AssertionError("acquired a held lock"));
                    } catch (InterruptedException e) {
                      failure.set(e);
                    }
                  });
      await().atMost(Duration.ofSeconds(5)).until(() -> lock.waiting() == 1);

      waiter.interrupt();
      waiter.join(5_000);

      assertThat(failure.get()).isInstanceOf(InterruptedException.class);
    }
  }

  @Test
  void closingAHoldTwiceReleasesTheLockOnce() throws Exception {
    GradientLock.Held held = lock.acquire();
    held.close();
    held.close();

    assertThat(lock.isHeldByCurrentThread()).isFalse();
    assertThatCode(() -> lock.acquire().close()).doesNotThrowAnyException();
  }

  private void collect(
      String name, AtomicInteger collecting, AtomicInteger mostAtOnce, List<String> order) {
    try (GradientLock.Held held = lock.acquire()) {
      mostAtOnce.accumulateAndGet(collecting.incrementAndGet(), Math::max);
      order.add(name);
      Thread.sleep(20);
      collecting.decrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
