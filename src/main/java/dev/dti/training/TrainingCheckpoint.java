package dev.dti.training;

/**
 * The exact state of a run after {@code step} steps: enough to resume bit for bit.
 *
 * @param parameters what the optimizer updates: unit directions v for DTI, raw rows for TI
 * @param lossHistory the loss of each step so far
 * @param normHistory the mean row norm after each step so far
 */
public record TrainingCheckpoint(
    int step,
    float[][] parameters,
    OptimizerState optimizerState,
    float[] lossHistory,
    float[] normHistory) {}
