package dev.dti.training;

/**
 * What one batched step did to one of its runs: it advanced by a step, or it diverged and has
 * failed (its partners in the pass are not affected).
 */
public sealed interface StepOutcome {

  TrainingRun run();

  /** The run took its step; {@code progress} reports it. */
  record Advanced(TrainingRun run, TrainingProgress progress) implements StepOutcome {}

  /** The run's loss or rows became NaN or infinite; the run has failed and takes no more steps. */
  record Diverged(TrainingRun run, TrainingDivergedException error) implements StepOutcome {}
}
