package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/**
 * diffusers' {@code Upsample2D} with use_conv: nearest-neighbour ×2 then a 3×3 conv ("conv").
 * Nearest ×2 is each pixel repeated twice along H and W (torch's repeat_interleave), which is
 * exactly {@code F.interpolate(scale_factor=2, mode="nearest")} and differentiable.
 */
public final class Upsample2D {

  private final Conv2d conv;

  public Upsample2D(Parameters p, int channels) {
    this.conv = new Conv2d(p.sub("conv"), channels, channels, 3, 1, 1);
  }

  public NDArray forward(NDArray x) {
    return Scoped.call(() -> compute(x));
  }

  private NDArray compute(NDArray x) {
    return conv.forward(nearestTimesTwo(x));
  }

  static NDArray nearestTimesTwo(NDArray x) {
    return x.repeat(2, 2).repeat(3, 2);
  }
}
