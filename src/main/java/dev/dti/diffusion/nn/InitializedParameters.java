package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Freshly initialised parameters, deterministic from a seed: each tensor draws from its own
 * generator seeded by (seed, name), so adding a layer never changes the others' values.
 */
public final class InitializedParameters extends RecordingParameters {

  private final long seed;

  public InitializedParameters(NDManager manager, long seed) {
    super(manager);
    this.seed = seed;
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    NDArray array =
        switch (init) {
          case ZEROS -> manager().zeros(shape, DataType.FLOAT32);
          case ONES -> manager().ones(shape, DataType.FLOAT32);
          case FAN_IN -> normal(name, shape, (float) (1.0 / Math.sqrt(fanIn(shape))));
          case EMBEDDING -> normal(name, shape, 0.02f);
        };
    return record(name, array);
  }

  private NDArray normal(String name, Shape shape, float std) {
    var random = new SplittableRandom(seed * 31 + name.hashCode());
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (GaussianNoise.standardNormal(random) * std);
    }
    return manager().create(values, shape);
  }

  private static long fanIn(Shape shape) {
    long fanIn = 1;
    for (int i = 1; i < shape.dimension(); i++) {
      fanIn *= shape.get(i);
    }
    return Math.max(1, fanIn);
  }

  @Override
  public boolean has(String name) {
    return true;
  }
}
