package dev.dti.training;

import dev.dti.embedding.Embedding.EncoderRows;
import java.util.Map;

/**
 * The learned embedding and the curves of its run.
 *
 * @param encoders per text encoder, in the model's order: the rows e (n × d) and that encoder's
 *     mean vocabulary norm m
 * @param normHistory the mean row norm of the first text encoder after each step
 */
public record TrainingResult(
    Map<String, EncoderRows> encoders, float[] lossHistory, float[] normHistory) {

  /** The rows of the model's first text encoder (SD's only one). */
  public float[][] rows() {
    return first().rows();
  }

  /** The norm m of the model's first text encoder (SD's only one). */
  public double normM() {
    return first().normM();
  }

  private EncoderRows first() {
    return encoders.values().iterator().next();
  }
}
