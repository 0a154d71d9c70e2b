package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Freshly initialised parameters, deterministic from a seed: each tensor draws from its own
 * generator seeded by (seed, name), so adding a layer never changes the others' values.
 */
public final class InitializedParameters implements Parameters {

  private final NDManager manager;
  private final long seed;
  private final Scalars scalars;
  private final Map<String, NDArray> created = new LinkedHashMap<>();

  public InitializedParameters(NDManager manager, long seed) {
    this.manager = manager;
    this.seed = seed;
    this.scalars = new Scalars(manager);
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    NDArray array =
        switch (init) {
          case ZEROS -> manager.zeros(shape, DataType.FLOAT32);
          case ONES -> manager.ones(shape, DataType.FLOAT32);
          case FAN_IN -> normal(name, shape, (float) (1.0 / Math.sqrt(fanIn(shape))));
          case EMBEDDING -> normal(name, shape, 0.02f);
        };
    array.setName(name);
    created.put(name, array);
    return array;
  }

  private NDArray normal(String name, Shape shape, float std) {
    var random = new SplittableRandom(seed * 31 + name.hashCode());
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (gaussian(random) * std);
    }
    return manager.create(values, shape);
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller; SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
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

  @Override
  public Map<String, NDArray> all() {
    return created;
  }

  @Override
  public NDManager manager() {
    return manager;
  }

  @Override
  public Scalars scalars() {
    return scalars;
  }
}
