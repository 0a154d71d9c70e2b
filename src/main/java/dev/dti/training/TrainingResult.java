package dev.dti.training;

/** The learned embedding: rows e (n × d), the model's mean vocabulary norm m, and the curves. */
public record TrainingResult(
    float[][] rows, double normM, float[] lossHistory, float[] normHistory) {}
