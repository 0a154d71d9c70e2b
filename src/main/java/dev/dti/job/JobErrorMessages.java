package dev.dti.job;

import java.time.Duration;

/**
 * Turns failures into the sentences stored in {@code jobs.error}: read by the person who submitted
 * the job, so they name what went wrong in one line and never carry a stack trace.
 */
final class JobErrorMessages {

  private static final int MAX_REASON_CHARS = 300;

  private JobErrorMessages() {}

  static String terminal(Throwable failure) {
    return sentence(reason(failure));
  }

  static String retrying(int attempt, int maxAttempts, Throwable failure, Duration delay) {
    return "Attempt %d of %d failed: %s It will be retried in %s."
        .formatted(attempt, maxAttempts, sentence(reason(failure)), humanize(delay));
  }

  static String givenUp(int attempts, Throwable failure) {
    return "The job failed %d %s and was given up. The last attempt failed: %s"
        .formatted(attempts, attempts == 1 ? "time" : "times", sentence(reason(failure)));
  }

  /** The first line of the exception's message, or a plain description when it has none. */
  static String reason(Throwable failure) {
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return "an unexpected internal error (" + failure.getClass().getSimpleName() + ")";
    }
    String firstLine = message.strip().lines().findFirst().orElse("").strip();
    if (firstLine.length() > MAX_REASON_CHARS) {
      firstLine = firstLine.substring(0, MAX_REASON_CHARS - 1).strip() + "…";
    }
    return firstLine;
  }

  static String sentence(String text) {
    String capitalized = Character.toUpperCase(text.charAt(0)) + text.substring(1);
    char last = capitalized.charAt(capitalized.length() - 1);
    return last == '.' || last == '!' || last == '?' || last == '…'
        ? capitalized
        : capitalized + ".";
  }

  static String humanize(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 1) {
      return duration.toMillis() + " ms";
    }
    if (seconds < 120) {
      return seconds + (seconds == 1 ? " second" : " seconds");
    }
    long minutes = Math.round(seconds / 60.0);
    return minutes + " minutes";
  }
}
