package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobErrorMessagesTest {

  @Test
  void aRetryMessageNamesTheAttemptTheReasonAndTheWait() {
    assertThat(
            JobErrorMessages.retrying(
                2, 5, new RuntimeException("disk full"), Duration.ofSeconds(60)))
        .isEqualTo("Attempt 2 of 5 failed: Disk full. It will be retried in 60 seconds.");
  }

  @Test
  void onlyTheFirstLineOfAMessageIsKeptSoNoStackTraceLeaks() {
    var failure =
        new IllegalStateException(
            "  CUDA error: out of memory\n\tat ai.djl.pytorch.jni.PyTorchLibrary.torchBackward\n");

    assertThat(JobErrorMessages.givenUp(3, failure))
        .isEqualTo(
            "The job failed 3 times and was given up. The last attempt failed: CUDA error: out of"
                + " memory.");
  }

  @Test
  void anExceptionWithoutMessageIsDescribedByItsType() {
    assertThat(JobErrorMessages.terminal(new NullPointerException()))
        .isEqualTo("An unexpected internal error (NullPointerException).");
  }

  @Test
  void aVeryLongMessageIsShortened() {
    String reason = JobErrorMessages.reason(new RuntimeException("x".repeat(5_000)));

    assertThat(reason).hasSize(300).endsWith("…");
  }

  @Test
  void waitsReadAsPeopleSayThem() {
    assertThat(JobErrorMessages.humanize(Duration.ofMillis(400))).isEqualTo("400 ms");
    assertThat(JobErrorMessages.humanize(Duration.ofSeconds(1))).isEqualTo("1 second");
    assertThat(JobErrorMessages.humanize(Duration.ofSeconds(90))).isEqualTo("90 seconds");
    assertThat(JobErrorMessages.humanize(Duration.ofMinutes(30))).isEqualTo("30 minutes");
  }
}
