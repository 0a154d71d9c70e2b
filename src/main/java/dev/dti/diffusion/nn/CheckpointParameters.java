package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Parameters read tensor by tensor from a safetensors checkpoint; names are the checkpoint's. */
public final class CheckpointParameters implements Parameters {

  private final SafetensorsFile file;
  private final NDManager manager;
  private final Scalars scalars;
  private final Map<String, NDArray> loaded = new LinkedHashMap<>();

  public CheckpointParameters(SafetensorsFile file, NDManager manager) {
    this.file = file;
    this.manager = manager;
    this.scalars = new Scalars(manager);
  }

  @Override
  public NDArray get(String name, Shape shape, Init init) {
    if (!file.contains(name)) {
      throw new IllegalArgumentException(
          "Checkpoint "
              + file.path()
              + " is missing tensor '"
              + name
              + "' (expected shape "
              + shape
              + ")");
    }
    Shape actual = file.info(name).shape();
    if (!actual.equals(shape)) {
      throw new IllegalArgumentException(
          "Checkpoint tensor '"
              + name
              + "' in "
              + file.path()
              + " has shape "
              + actual
              + ", expected "
              + shape);
    }
    try {
      NDArray array = file.load(manager, name);
      array.setName(name);
      loaded.put(name, array);
      return array;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean has(String name) {
    return file.contains(name);
  }

  @Override
  public Map<String, NDArray> all() {
    return loaded;
  }

  @Override
  public NDManager manager() {
    return manager;
  }

  @Override
  public Scalars scalars() {
    return scalars;
  }

  /** Checkpoint tensors the model never asked for (a sign of a config that does not match). */
  public Set<String> unused() {
    Set<String> unused = new TreeSet<>(file.names());
    unused.removeAll(loaded.keySet());
    return unused;
  }
}
