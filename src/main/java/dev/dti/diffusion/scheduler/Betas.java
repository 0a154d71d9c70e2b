package dev.dti.diffusion.scheduler;

/**
 * The training noise schedule shared by the schedulers: β_t and ᾱ_t = ∏(1 − β_s), in float32 as
 * diffusers holds them.
 */
final class Betas {

  private Betas() {}

  static float[] betas(SchedulerConfig config) {
    int n = config.numTrainTimesteps();
    return switch (config.betaSchedule()) {
      case "linear" -> linspace(config.betaStart(), config.betaEnd(), n);
      case "scaled_linear" ->
          squared(linspace(Math.sqrt(config.betaStart()), Math.sqrt(config.betaEnd()), n));
      case "squaredcos_cap_v2" -> squaredCosine(n);
      default -> throw new IllegalArgumentException(config.betaSchedule());
    };
  }

  /** torch.linspace(start, end, n, dtype=float32): float32 endpoints, values rounded to float32. */
  private static float[] linspace(double start, double end, int n) {
    double first = (float) start;
    double last = (float) end;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) (first + (last - first) * i / (n - 1));
    }
    return values;
  }

  private static float[] squared(float[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i] * values[i];
    }
    return out;
  }

  /**
   * Nichol & Dhariwal's cosine schedule: ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), β capped at 0.999.
   */
  private static float[] squaredCosine(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      double beta = 1 - alphaBar((i + 1.0) / n) / alphaBar((double) i / n);
      out[i] = (float) Math.min(beta, 0.999);
    }
    return out;
  }

  private static double alphaBar(double t) {
    double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  /** torch.cumprod over float32 1 − β: accumulated in double, each entry rounded to float32. */
  static float[] alphasCumprod(float[] betas) {
    float[] out = new float[betas.length];
    double product = 1;
    for (int i = 0; i < betas.length; i++) {
      product *= (float) (1 - betas[i]);
      out[i] = (float) product;
    }
    return out;
  }
}
