package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every parameter source shares: the manager that owns the arrays, the model's scalars, and
 * the record of every array handed out (the state dict, in request order).
 */
abstract class RecordingParameters implements Parameters {

  private final NDManager manager;
  private final Scalars scalars;
  private final Map<String, NDArray> recorded = new LinkedHashMap<>();

  RecordingParameters(NDManager manager) {
    this.manager = manager;
    this.scalars = new Scalars(manager);
  }

  /** Names {@code array} and records it under {@code name}. */
  protected NDArray record(String name, NDArray array) {
    array.setName(name);
    recorded.put(name, array);
    return array;
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
