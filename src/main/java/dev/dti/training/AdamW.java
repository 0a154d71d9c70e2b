package dev.dti.training;

/**
 * AdamW (Loshchilov &amp; Hutter) on raw embedding rows: the Textual Inversion baseline, with
 * torch.optim.AdamW's update order (decoupled weight decay first, then the bias-corrected Adam
 * step). The rows are unconstrained, so their norm is free to grow.
 *
 * <pre>
 *   p ← p − lr·λ·p
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   p ← p − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
 * </pre>
 */
public final class AdamW implements RowOptimizer {

  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double EPSILON = 1e-8;

  private final double learningRate;
  private final double weightDecay;
  private float[][] m;
  private float[][] v;
  private int steps;

  public AdamW(double learningRate, double weightDecay) {
    this.learningRate = learningRate;
    this.weightDecay = weightDecay;
  }

  @Override
  public void step(float[][] rows, float[][] grads) {
    if (m == null) {
      // Rows may differ in width (one group per text encoder): the moments follow each row.
      m = new float[rows.length][];
      v = new float[rows.length][];
      for (int row = 0; row < rows.length; row++) {
        m[row] = new float[rows[row].length];
        v[row] = new float[rows[row].length];
      }
    }
    steps++;
    double correction1 = 1 - Math.pow(BETA1, steps);
    double correction2 = 1 - Math.pow(BETA2, steps);
    for (int row = 0; row < rows.length; row++) {
      for (int i = 0; i < rows[row].length; i++) {
        double p = rows[row][i] * (1 - learningRate * weightDecay);
        double g = grads[row][i];
        m[row][i] = (float) (BETA1 * m[row][i] + (1 - BETA1) * g);
        v[row][i] = (float) (BETA2 * v[row][i] + (1 - BETA2) * g * g);
        double mHat = m[row][i] / correction1;
        double vHat = v[row][i] / correction2;
        rows[row][i] = (float) (p - learningRate * mHat / (Math.sqrt(vHat) + EPSILON));
      }
    }
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public OptimizerState state() {
    return new OptimizerState(steps, copy(m), copy(v));
  }

  @Override
  public void restore(OptimizerState state) {
    this.steps = state.steps();
    this.m = copy(state.firstMoment());
    this.v = copy(state.secondMoment());
  }

  private static float[][] copy(float[][] rows) {
    if (rows == null) {
      return null;
    }
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
    }
    return out;
  }
}
