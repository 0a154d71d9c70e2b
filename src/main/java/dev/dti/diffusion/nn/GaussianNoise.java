package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A seeded source of N(0, 1) arrays drawn in Java, so a seed gives the same numbers on every run,
 * thread and device (torch's global generator would be shared by every job in the JVM). Successive
 * calls continue the sequence, as a torch.Generator does.
 */
public final class GaussianNoise {

  private final SplittableRandom random;

  public GaussianNoise(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The next {@code shape.size()} standard normal values as a float32 array owned by manager. */
  public NDArray next(NDManager manager, Shape shape) {
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) standardNormal(random);
    }
    return manager.create(values, shape);
  }

  /** Box–Muller, one value per pair of uniforms: simple and identical on every JVM. */
  public static double standardNormal(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
