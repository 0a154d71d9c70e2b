package dev.dti.training;

/**
 * Riemannian SGD on the unit sphere, as in Directional Textual Inversion (arXiv 2512.13672; the
 * authors' {@code dti.optim.SphericalSGD} with beta = 0).
 *
 * <p>Each learned row is e = m·v with ‖v‖ = 1; this optimizer updates v. Per row, every step:
 *
 * <pre>
 *   g   = ∂L/∂v − κ·μ            von Mises–Fisher prior pulling v towards μ (initializer direction)
 *   g_T = g − (g·v) v            projection onto the tangent space at v
 *   v   ← v − lr · g_T/(‖g_T‖+ε) normalized step
 *   v   ← v / ‖v‖                retraction onto the sphere
 * </pre>
 *
 * No clipping, momentum or schedule.
 */
public final class SphericalSGD implements RowOptimizer {

  /** The authors' numerical-stability constant in the step normalisation. */
  static final double EPSILON = 1e-8;

  private final double learningRate;
  private final double kappa;
  private final float[][] priorDirections;
  private int steps;

  /**
   * @param priorDirections μ per row (unit vectors: the normalized initializer rows)
   */
  public SphericalSGD(double learningRate, double kappa, float[][] priorDirections) {
    this.learningRate = learningRate;
    this.kappa = kappa;
    this.priorDirections = priorDirections;
  }

  @Override
  public void step(float[][] directions, float[][] grads) {
    for (int row = 0; row < directions.length; row++) {
      float[] v = directions[row];
      float[] mu = priorDirections[row];
      int d = v.length;
      double[] g = new double[d];
      double inner = 0;
      for (int i = 0; i < d; i++) {
        g[i] = grads[row][i] - kappa * mu[i];
        inner += g[i] * v[i];
      }
      double tangentNormSquared = 0;
      for (int i = 0; i < d; i++) {
        g[i] -= inner * v[i];
        tangentNormSquared += g[i] * g[i];
      }
      double scale = learningRate / (Math.sqrt(tangentNormSquared) + EPSILON);
      double[] next = new double[d];
      double normSquared = 0;
      for (int i = 0; i < d; i++) {
        next[i] = v[i] - scale * g[i];
        normSquared += next[i] * next[i];
      }
      double norm = Math.sqrt(normSquared);
      for (int i = 0; i < d; i++) {
        v[i] = (float) (next[i] / norm);
      }
    }
    steps++;
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public OptimizerState state() {
    return new OptimizerState(steps, null, null);
  }

  @Override
  public void restore(OptimizerState state) {
    this.steps = state.steps();
  }
}
