package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class RetryScheduleTest {

  @Test
  void theDefaultScheduleIsTheStandardWebhooksOne() {
    WebhookProperties defaults =
        new Binder(new MapConfigurationPropertySource())
            .bindOrCreate("dti.webhooks", WebhookProperties.class);

    assertThat(defaults.retrySchedule())
        .containsExactly(
            Duration.ZERO,
            Duration.ofSeconds(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(5),
            Duration.ofHours(10),
            Duration.ofHours(14),
            Duration.ofHours(20),
            Duration.ofHours(24));
    assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(defaults.rotationGrace()).isEqualTo(Duration.ofHours(24));
    assertThat(defaults.allowedNetworks()).isEmpty();
    assertThat(defaults.allowHttp()).isFalse();
  }

  @Test
  void followsTheScheduleWithinTenPercentJitterAndEndsAfterTheLastWait() {
    List<Duration> waits = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5));
    RetrySchedule lowest = new RetrySchedule(waits, () -> 0.0);
    RetrySchedule highest = new RetrySchedule(waits, () -> 1.0);

    assertThat(lowest.firstWait()).isEqualTo(Duration.ZERO);
    assertThat(lowest.waitAfter(1, null)).contains(Duration.ofMillis(4500));
    assertThat(highest.waitAfter(1, null)).contains(Duration.ofMillis(5500));
    assertThat(lowest.waitAfter(2, null)).contains(Duration.ofSeconds(270));
    assertThat(highest.waitAfter(2, null)).contains(Duration.ofSeconds(330));
    assertThat(lowest.waitAfter(3, null)).isEmpty();
  }

  @Test
  void aLongerRetryAfterWinsUpToTheLongestWaitOfTheSchedule() {
    RetrySchedule schedule =
        new RetrySchedule(
            List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(1)), () -> 0.5);

    assertThat(schedule.waitAfter(1, Duration.ofSeconds(30))).contains(Duration.ofSeconds(30));
    assertThat(schedule.waitAfter(1, Duration.ofSeconds(2))).contains(Duration.ofSeconds(5));
    assertThat(schedule.waitAfter(1, Duration.ofHours(3))).contains(Duration.ofMinutes(1));
  }

  @Test
  void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
    Instant now = Instant.parse("2026-12-01T12:00:00Z");

    assertThat(RetrySchedule.parseRetryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(RetrySchedule.parseRetryAfter("Tue, 01 Dec 2026 12:10:00 GMT", now))
        .isEqualTo(Duration.ofMinutes(10));
    assertThat(RetrySchedule.parseRetryAfter("soon", now)).isNull();
    assertThat(RetrySchedule.parseRetryAfter(null, now)).isNull();
  }
}
