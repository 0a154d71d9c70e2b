package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.GroupNorm on [N, C, ...]: statistics per (sample, group), then a per-channel affine.
 * DJL's PyTorch engine has no group_norm op, so it is composed from single-axis means.
 */
public final class GroupNorm {

  private final int groups;
  private final long channels;
  private final NDArray weight;
  private final NDArray bias;
  private final NDArray eps;

  public GroupNorm(Parameters p, int groups, long channels, double eps) {
    if (channels % groups != 0) {
      throw new IllegalArgumentException(
          channels + " channels do not split into " + groups + " groups");
    }
    this.groups = groups;
    this.channels = channels;
    this.weight = p.get("weight", new Shape(channels), Init.ONES);
    this.bias = p.get("bias", new Shape(channels), Init.ZEROS);
    this.eps = p.scalars().of(eps);
  }

  public NDArray forward(NDArray x) {
    Shape shape = x.getShape();
    NDArray grouped = x.reshape(shape.get(0), groups, -1);
    NDArray mean = grouped.mean(new int[] {2}, true);
    NDArray centered = grouped.sub(mean);
    NDArray variance = centered.square().mean(new int[] {2}, true);
    NDArray normalized = centered.div(variance.add(eps).sqrt()).reshape(shape);
    long[] affine = new long[shape.dimension()];
    java.util.Arrays.fill(affine, 1);
    affine[1] = channels;
    return normalized.mul(weight.reshape(new Shape(affine))).add(bias.reshape(new Shape(affine)));
  }
}
