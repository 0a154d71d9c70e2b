package dev.dti.training;

/**
 * A checkpointable optimizer state. {@code firstMoment}/{@code secondMoment} are null for
 * SphericalSGD, which keeps nothing but its step count.
 */
public record OptimizerState(int steps, float[][] firstMoment, float[][] secondMoment) {}
