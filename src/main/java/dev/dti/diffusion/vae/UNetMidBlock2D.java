package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;

/** diffusers' {@code UNetMidBlock2D} as the VAE uses it: resnet → self-attention → resnet. */
final class UNetMidBlock2D {

  private final ResnetBlock2D resnet0;
  private final AttentionBlock attention;
  private final ResnetBlock2D resnet1;

  UNetMidBlock2D(Parameters p, int channels, int groups) {
    resnet0 =
        new ResnetBlock2D(
            p.sub("resnets.0"), channels, channels, 0, groups, AutoencoderKLConfig.NORM_EPS, 1);
    attention = new AttentionBlock(p.sub("attentions.0"), channels, groups);
    resnet1 =
        new ResnetBlock2D(
            p.sub("resnets.1"), channels, channels, 0, groups, AutoencoderKLConfig.NORM_EPS, 1);
  }

  NDArray forward(NDArray x) {
    return resnet1.forward(attention.forward(resnet0.forward(x)));
  }
}
