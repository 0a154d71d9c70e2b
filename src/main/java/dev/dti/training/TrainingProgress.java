package dev.dti.training;

/** Reported after every step; {@code rows} are the current embedding rows e. */
public record TrainingProgress(
    int step, int totalSteps, double loss, double smoothedLoss, double meanNorm, float[][] rows) {}
