package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Natively created float32 scalar tensors that live as long as their manager.
 *
 * <p>DJL's {@code x.mul(2f)} and friends wrap the Java number in a tensor over a direct buffer that
 * is freed right after the op, while the autograd graph still points at it: a GC between forward
 * and backward silently corrupts the gradient (values such as 1e-45 or 1e30, no error; seen with
 * DJL 0.33 and 0.36, and in DJL's own L2Loss and Activation.swish). Every constant on a path that
 * gradients may flow through comes from here instead.
 */
public final class Scalars {

  private final NDManager manager;
  private final ConcurrentHashMap<Float, NDArray> cache = new ConcurrentHashMap<>();

  public Scalars(NDManager manager) {
    this.manager = manager;
  }

  public NDArray of(float value) {
    return cache.computeIfAbsent(
        value,
        v -> {
          NDArray scalar = manager.full(new Shape(), v, DataType.FLOAT32);
          // Cached for the manager's lifetime: an NDScope open at first use must not close it.
          NDScope.unregister(scalar);
          return scalar;
        });
  }

  public NDArray of(double value) {
    return of((float) value);
  }
}
