package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;

/**
 * Where a module gets its weights, by checkpoint name: from a checkpoint ({@link
 * CheckpointParameters}) or freshly initialised ({@link InitializedParameters}). Every array handed
 * out is recorded under its full name, so the model's state dict is {@link #all()}.
 */
public interface Parameters {

  /** The array stored under {@code name}, which must have exactly {@code shape}. */
  NDArray get(String name, Shape shape, Init init);

  /** Whether the source has this tensor (for optional parameters such as biases). */
  boolean has(String name);

  /** Every parameter handed out so far, in the order the model asked for them. */
  Map<String, NDArray> all();

  NDManager manager();

  /** Constants for this model's forward passes. */
  Scalars scalars();

  /** A view that prefixes every name with {@code prefix + "."}. */
  default Parameters sub(String prefix) {
    Parameters parent = this;
    return new Parameters() {
      @Override
      public NDArray get(String name, Shape shape, Init init) {
        return parent.get(prefix + "." + name, shape, init);
      }

      @Override
      public boolean has(String name) {
        return parent.has(prefix + "." + name);
      }

      @Override
      public Map<String, NDArray> all() {
        return parent.all();
      }

      @Override
      public NDManager manager() {
        return parent.manager();
      }

      @Override
      public Scalars scalars() {
        return parent.scalars();
      }
    };
  }
}
