package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.Linear: y = x Wᵀ + b over the last axis; weight [out, in]. */
public final class Linear {

  private final NDArray weight;
  private final NDArray bias;

  public Linear(Parameters p, long in, long out, boolean bias) {
    this.weight = p.get("weight", new Shape(out, in), Init.FAN_IN);
    this.bias = bias ? p.get("bias", new Shape(out), Init.ZEROS) : null;
  }

  public NDArray forward(NDArray x) {
    return bias == null
        ? ai.djl.nn.core.Linear.linear(x, weight).singletonOrThrow()
        : ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
  }
}
