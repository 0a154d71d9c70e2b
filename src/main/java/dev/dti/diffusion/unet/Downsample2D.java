package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.Parameters;

/** diffusers' {@code Downsample2D} with use_conv: a 3×3 conv, stride 2, padding 1 ("conv"). */
public final class Downsample2D {

  private final Conv2d conv;

  public Downsample2D(Parameters p, int channels, int padding) {
    this.conv = new Conv2d(p.sub("conv"), channels, channels, 3, 2, padding);
  }

  public NDArray forward(NDArray x) {
    return conv.forward(x);
  }
}
