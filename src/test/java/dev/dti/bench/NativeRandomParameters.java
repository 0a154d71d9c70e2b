package dev.dti.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Init;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Random weights drawn by the engine ({@code NDManager.randomNormal}) rather than in Java, for
 * models of billions of parameters (SDXL): no Java array of the weights is ever made. Same scales
 * as {@code InitializedParameters} (N(0, 1/fan_in) for conv and linear weights, N(0, 0.02²) for
 * embeddings, ones and zeros for norms and biases); the values follow the engine's random seed.
 */
final class NativeRandomParameters implements Parameters {

  private final NDManager manager;
  private final Scalars scalars;
  private final Map<String, NDArray> recorded = new LinkedHashMap<>();

  NativeRandomParameters(NDManager manager) {
    this.manager = manager;
    this.scalars = new Scalars(manager);
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    NDArray array =
        switch (init) {
          case ZEROS -> manager.zeros(shape, DataType.FLOAT32);
          case ONES -> manager.ones(shape, DataType.FLOAT32);
          case FAN_IN ->
              manager.randomNormal(
                  0, (float) (1 / Math.sqrt(fanIn(shape))), shape, DataType.FLOAT32);
          case EMBEDDING -> manager.randomNormal(0, 0.02f, shape, DataType.FLOAT32);
        };
    array.setName(name);
    recorded.put(name, array);
    return array;
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
    return recorded;
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
