package dev.dti.job;

import java.util.Locale;

/**
 * Lifecycle of a job: queued → running → succeeded | failed | canceled (running may go back to
 * queued on retry).
 */
public enum JobState {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELED;
  }

  /** The lower-case name used in the database and the API. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static JobState fromWireName(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
