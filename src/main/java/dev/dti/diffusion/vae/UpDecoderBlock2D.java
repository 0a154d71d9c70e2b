package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code UpDecoderBlock2D}: resnets, then (except in the last block) an {@code
 * Upsample2D}: nearest-neighbour ×2 followed by a 3×3 conv.
 */
final class UpDecoderBlock2D {

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final Conv2d upsampler;

  UpDecoderBlock2D(Parameters p, int in, int out, int layers, int groups, boolean addUpsample) {
    for (int i = 0; i < layers; i++) {
      resnets.add(
          new ResnetBlock2D(
              p.sub("resnets." + i),
              i == 0 ? in : out,
              out,
              0,
              groups,
              AutoencoderKLConfig.NORM_EPS,
              1));
    }
    upsampler = addUpsample ? new Conv2d(p.sub("upsamplers.0.conv"), out, out, 3, 1, 1) : null;
  }

  NDArray forward(NDArray x) {
    for (ResnetBlock2D resnet : resnets) {
      x = resnet.forward(x);
    }
    return upsampler == null ? x : upsampler.forward(x.repeat(2, 2).repeat(3, 2));
  }
}
