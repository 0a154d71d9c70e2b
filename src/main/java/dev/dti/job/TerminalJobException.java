package dev.dti.job;

/**
 * Thrown by a handler when retrying cannot help (bad input, a missing concept): the job fails at
 * once. The message is stored in {@code jobs.error} and shown to the person who submitted the job,
 * so write it as a sentence for them.
 */
public class TerminalJobException extends RuntimeException {

  public TerminalJobException(String message) {
    super(message);
  }

  public TerminalJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
