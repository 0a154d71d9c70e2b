package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Init;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters served from arrays already in memory, by name: a second network over the same or
 * averaged weights (the UNet's EMA copy for sampling during training).
 */
final class MapParameters implements Parameters {

  private final Map<String, NDArray> source;
  private final NDManager manager;
  private final Scalars scalars;
  private final Map<String, NDArray> handedOut = new LinkedHashMap<>();

  MapParameters(Map<String, NDArray> source, NDManager manager) {
    this.source = source;
    this.manager = manager;
    this.scalars = new Scalars(manager);
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    NDArray array = source.get(name);
    if (array == null || !array.getShape().equals(shape)) {
      throw new IllegalArgumentException(
          "no weight '"
              + name
              + "' of shape "
              + shape
              + (array == null ? "" : " (has " + array.getShape() + ")"));
    }
    handedOut.put(name, array);
    return array;
  }

  @Override
  public boolean has(String name) {
    return source.containsKey(name);
  }

  @Override
  public Map<String, NDArray> all() {
    return handedOut;
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
