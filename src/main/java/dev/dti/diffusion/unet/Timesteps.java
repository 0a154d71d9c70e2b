package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Scalars;

/**
 * diffusers' {@code Timesteps} ({@code get_timestep_embedding}): sinusoidal features of the
 * diffusion step. freq_i = exp(-ln(10000)·i / (half - freq_shift)), i = 0..half-1; the features are
 * [sin(t·freq), cos(t·freq)], swapped to [cos, sin] with flip_sin_to_cos. Every step runs in
 * float32 as torch does, so the result matches bit for bit rather than after double rounding.
 */
public final class Timesteps {

  private static final double MAX_PERIOD = 10_000;

  private final int channels;
  private final boolean flipSinToCos;
  private final NDArray minusLogMaxPeriod;
  private final NDArray frequencyDenominator;

  public Timesteps(int channels, boolean flipSinToCos, int freqShift, Scalars scalars) {
    this.channels = channels;
    this.flipSinToCos = flipSinToCos;
    this.minusLogMaxPeriod = scalars.of(-Math.log(MAX_PERIOD));
    this.frequencyDenominator = scalars.of(channels / 2 - freqShift);
  }

  /** timesteps [B] (int or float) → [B, channels] float32. */
  public NDArray forward(NDArray timesteps) {
    NDManager manager = timesteps.getManager();
    int half = channels / 2;
    NDArray exponent =
        manager
            .arange(0, half, 1, DataType.FLOAT32)
            .mul(minusLogMaxPeriod)
            .div(frequencyDenominator);
    NDArray frequencies = exponent.exp().reshape(1, half);
    NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(frequencies);
    NDArray sin = args.sin();
    NDArray cos = args.cos();
    NDArray embedding = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
    if (channels % 2 == 1) {
      NDArray zeros = manager.zeros(new Shape(embedding.getShape().get(0), 1), DataType.FLOAT32);
      embedding = embedding.concat(zeros, 1);
    }
    return embedding;
  }
}
