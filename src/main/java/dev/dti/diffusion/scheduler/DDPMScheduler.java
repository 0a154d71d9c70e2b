package dev.dti.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code DDPMScheduler} as training uses it: the forward process q(x_t | x_0), which
 * {@link #addNoise} samples as √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε.
 */
public final class DDPMScheduler {

  private final SchedulerConfig config;
  private final float[] betas;
  private final float[] alphasCumprod;

  public DDPMScheduler(SchedulerConfig config) {
    this.config = config;
    this.betas = Betas.betas(config);
    this.alphasCumprod = Betas.alphasCumprod(betas);
  }

  public SchedulerConfig config() {
    return config;
  }

  public int numTrainTimesteps() {
    return config.numTrainTimesteps();
  }

  public float[] betas() {
    return betas.clone();
  }

  public float[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /**
   * x_t for each batch element b at its own timestep {@code timesteps[b]} (int64, shape [B]). The
   * coefficients are native arrays in {@code original}'s manager, safe on a gradient path.
   */
  public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
    long[] t;
    try (NDArray longs = timesteps.toType(DataType.INT64, true)) {
      t = longs.toLongArray();
    }
    float[] signal = new float[t.length];
    float[] noiseLevel = new float[t.length];
    for (int b = 0; b < t.length; b++) {
      float alphaProd = alphasCumprod[Math.toIntExact(t[b])];
      signal[b] = (float) Math.sqrt(alphaProd);
      noiseLevel[b] = (float) Math.sqrt(1f - alphaProd);
    }
    long[] broadcast = new long[original.getShape().dimension()];
    java.util.Arrays.fill(broadcast, 1);
    broadcast[0] = t.length;
    Shape shape = new Shape(broadcast);
    // Arrays created from Java values keep their buffer alive as long as they live in the manager.
    NDManager manager = original.getManager();
    NDArray signalScale = manager.create(signal, shape);
    NDArray noiseScale = manager.create(noiseLevel, shape);
    return original.mul(signalScale).add(noise.mul(noiseScale));
  }
}
