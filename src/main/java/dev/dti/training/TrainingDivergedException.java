package dev.dti.training;

/** The loss or a learned row became NaN or infinite: the run cannot continue. */
public class TrainingDivergedException extends RuntimeException {
  public TrainingDivergedException(String message) {
    super(message);
  }
}
