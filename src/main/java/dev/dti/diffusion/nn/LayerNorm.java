package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.LayerNorm over the last axis. */
public final class LayerNorm {

  private final NDArray weight;
  private final NDArray bias;
  private final Shape normalizedShape;
  private final float eps;

  public LayerNorm(Parameters p, long dim, double eps) {
    this.normalizedShape = new Shape(dim);
    this.weight = p.get("weight", normalizedShape, Init.ONES);
    this.bias = p.get("bias", normalizedShape, Init.ZEROS);
    this.eps = (float) eps;
  }

  public NDArray forward(NDArray x) {
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight, bias, eps)
        .singletonOrThrow();
  }
}
