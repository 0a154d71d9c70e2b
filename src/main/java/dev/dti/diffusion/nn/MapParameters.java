package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * Parameters served from arrays already in memory, by name: a second network over the same or
 * averaged weights (the toy UNet's EMA copy for sampling during training). The arrays stay the
 * source's; nothing is copied.
 */
public final class MapParameters extends RecordingParameters {

  private final Map<String, NDArray> source;

  public MapParameters(Map<String, NDArray> source, NDManager manager) {
    super(manager);
    this.source = source;
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
    return record(name, array);
  }

  @Override
  public boolean has(String name) {
    return source.containsKey(name);
  }
}
