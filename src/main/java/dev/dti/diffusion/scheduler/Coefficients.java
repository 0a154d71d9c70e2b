package dev.dti.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Per-step scalars as native float32 tensors in the manager of the array they scale, so they are
 * freed with the caller's scope and never point at a Java buffer (a Java-number op such as {@code
 * x.mul(0.5f)} makes a tensor over a direct buffer that DJL frees right after the op).
 */
final class Coefficients {

  private Coefficients() {}

  static NDArray scalar(NDArray like, double value) {
    return like.getManager().full(new Shape(), (float) value, DataType.FLOAT32);
  }
}
