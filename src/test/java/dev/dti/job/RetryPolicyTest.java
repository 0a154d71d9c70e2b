package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(30));

  @Test
  void backoffDoublesFromTheBaseAndStopsAtTheCap() {
    assertThat(IntStream.rangeClosed(1, 9).mapToObj(policy::backoffAfter))
        .containsExactly(
            Duration.ofSeconds(30),
            Duration.ofMinutes(1),
            Duration.ofMinutes(2),
            Duration.ofMinutes(4),
            Duration.ofMinutes(8),
            Duration.ofMinutes(16),
            Duration.ofMinutes(30),
            Duration.ofMinutes(30),
            Duration.ofMinutes(30));
  }

  @Test
  void backoffNeverOverflowsForHugeAttemptCounts() {
    assertThat(policy.backoffAfter(63)).isEqualTo(Duration.ofMinutes(30));
    assertThat(policy.backoffAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void aJobMayRetryUntilItHasUsedItsMaxAttempts() {
    assertThat(policy.mayRetry(jobWithAttempts(1, 3))).isTrue();
    assertThat(policy.mayRetry(jobWithAttempts(2, 3))).isTrue();
    assertThat(policy.mayRetry(jobWithAttempts(3, 3))).isFalse();
    assertThat(policy.mayRetry(jobWithAttempts(1, 1))).isFalse();
  }

  private static Job jobWithAttempts(int attempts, int maxAttempts) {
    return new Job(
        null,
        null,
        "test",
        JobState.RUNNING,
        "{}",
        null,
        attempts,
        maxAttempts,
        0,
        5,
        null,
        null,
        null,
        false,
        0,
        0,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
