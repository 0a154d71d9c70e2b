package dev.dti.training;

/**
 * Updates the learned token rows in place from their loss gradients. Rows are plain float arrays (n
 * vectors × d): they are a few kilobytes, so the update runs in Java in double precision, and the
 * whole optimizer state can be checkpointed exactly.
 */
public interface RowOptimizer {

  /** One step: {@code rows[i]} moves against {@code grads[i]}. */
  void step(float[][] rows, float[][] grads);

  /** Number of steps taken so far. */
  int steps();

  /** The optimizer's state, to checkpoint; {@link #restore} takes it back. */
  OptimizerState state();

  void restore(OptimizerState state);
}
