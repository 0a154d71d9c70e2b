package dev.dti.training;

import dev.dti.embedding.Embedding.EncoderRows;
import dev.dti.embedding.Rows;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reported after every step.
 *
 * @param meanNorm the mean row norm of the model's first text encoder (SD's only one), the value of
 *     the run's norm history at this step
 * @param encoders per text encoder, in the model's order: the current embedding rows e and that
 *     encoder's m
 */
public record TrainingProgress(
    int step,
    int totalSteps,
    double loss,
    double smoothedLoss,
    double meanNorm,
    Map<String, EncoderRows> encoders) {

  /** The current rows of the model's first text encoder (SD's only one). */
  public float[][] rows() {
    return encoders.values().iterator().next().rows();
  }

  /** The mean row norm per text encoder, in the model's order. */
  public Map<String, Double> meanNorms() {
    Map<String, Double> norms = new LinkedHashMap<>();
    encoders.forEach((name, rows) -> norms.put(name, meanNorm(rows.rows())));
    return norms;
  }

  static double meanNorm(float[][] rows) {
    double sum = 0;
    for (float[] row : rows) {
      sum += Rows.norm(row);
    }
    return sum / rows.length;
  }
}
