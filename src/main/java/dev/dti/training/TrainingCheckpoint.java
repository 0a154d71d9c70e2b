package dev.dti.training;

import java.util.Map;

/**
 * The exact state of a run after {@code step} steps: enough to resume bit for bit.
 *
 * @param parameters per text encoder, in the model's order: what the optimizer updates, unit
 *     directions v for DTI, raw rows for TI
 * @param optimizerState the one optimizer's state over every encoder's rows, in that order
 * @param lossHistory the loss of each step so far
 * @param normHistory the mean row norm of the model's first text encoder after each step so far
 */
public record TrainingCheckpoint(
    int step,
    Map<String, float[][]> parameters,
    OptimizerState optimizerState,
    float[] lossHistory,
    float[] normHistory) {}
