package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.nn.Scalars;

/**
 * diffusers' {@code DiagonalGaussianDistribution}: the encoder's moments split into mean and
 * log-variance along the channel axis, log-variance clamped to [-30, 20].
 */
public final class DiagonalGaussianDistribution {

  private final NDArray mean;
  private final NDArray logvar;
  private final Scalars scalars;

  DiagonalGaussianDistribution(NDArray moments, Scalars scalars) {
    NDList halves = moments.split(2, 1);
    this.mean = halves.get(0);
    this.logvar = clamp(halves.get(1), scalars);
    this.scalars = scalars;
  }

  /** clamp via maximum/minimum with native scalars (clip(Number, Number) takes Java numbers). */
  private static NDArray clamp(NDArray x, Scalars scalars) {
    return x.maximum(scalars.of(-30f)).minimum(scalars.of(20f));
  }

  public NDArray mean() {
    return mean;
  }

  public NDArray logvar() {
    return logvar;
  }

  public NDArray std() {
    return logvar.mul(scalars.of(0.5f)).exp();
  }

  /** mean + std · ε with ε drawn from {@code noise}. */
  public NDArray sample(GaussianNoise noise) {
    return mean.add(std().mul(noise.next(mean.getManager(), mean.getShape())));
  }

  /** The distribution's mode, its mean (what pipelines use for deterministic encoding). */
  public NDArray mode() {
    return mean;
  }
}
