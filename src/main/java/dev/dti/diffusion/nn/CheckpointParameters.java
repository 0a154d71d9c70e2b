package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;

/** Parameters read tensor by tensor from a safetensors checkpoint; names are the checkpoint's. */
public final class CheckpointParameters extends RecordingParameters {

  private final SafetensorsFile file;

  public CheckpointParameters(SafetensorsFile file, NDManager manager) {
    super(manager);
    this.file = file;
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
      return record(name, file.load(manager(), name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public boolean has(String name) {
    return file.contains(name);
  }

  /** Checkpoint tensors the model never asked for (a sign of a config that does not match). */
  public Set<String> unused() {
    Set<String> unused = new TreeSet<>(file.names());
    unused.removeAll(all().keySet());
    return unused;
  }
}
