package dev.dti.job;

/** The kinds of work the queue carries. Handlers register for one kind each. */
public final class JobKinds {
  public static final String TRAINING = "training";
  public static final String GENERATION = "generation";

  private JobKinds() {}
}
