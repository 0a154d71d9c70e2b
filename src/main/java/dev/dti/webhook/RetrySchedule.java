package dev.dti.webhook;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a message is attempted: the n-th wait of {@code dti.webhooks.retry-schedule}, with a jitter
 * of ±10 % so that endpoints coming back do not get every retry at once, or longer when the
 * endpoint asked for it with {@code Retry-After} (at most the schedule's longest wait).
 */
class RetrySchedule {

  private final List<Duration> waits;
  private final DoubleSupplier random;

  RetrySchedule(List<Duration> waits, DoubleSupplier random) {
    this.waits = List.copyOf(waits);
    this.random = random;
  }

  /** Before the first attempt. */
  Duration firstWait() {
    return jittered(waits.getFirst());
  }

  /**
   * After the {@code failures}-th failed attempt (1 for the first): the wait before the next
   * attempt, or empty when the schedule is used up and the message fails for good.
   */
  Optional<Duration> waitAfter(int failures, Duration retryAfter) {
    if (failures >= waits.size()) {
      return Optional.empty();
    }
    Duration scheduled = jittered(waits.get(failures));
    if (retryAfter != null && retryAfter.compareTo(scheduled) > 0) {
      Duration longest = waits.stream().max(Duration::compareTo).orElseThrow();
      return Optional.of(retryAfter.compareTo(longest) > 0 ? longest : retryAfter);
    }
    return Optional.of(scheduled);
  }

  private Duration jittered(Duration wait) {
    double factor = 0.9 + 0.2 * random.getAsDouble();
    return Duration.ofMillis(Math.round(wait.toMillis() * factor));
  }

  /** A {@code Retry-After} value: delay seconds or an HTTP date; null when absent or unreadable. */
  static Duration parseRetryAfter(String value, Instant now) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.strip();
    if (text.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(text));
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
