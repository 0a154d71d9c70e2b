package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code DownEncoderBlock2D}: resnets, then (except in the last block) a {@code
 * Downsample2D} with padding 0, which pads only right and bottom by one before a stride-2 3×3 conv.
 */
final class DownEncoderBlock2D {

  /** F.pad(x, (0, 1, 0, 1)): last axis (left 0, right 1), then height (top 0, bottom 1). */
  private static final Shape PAD_RIGHT_BOTTOM = new Shape(0, 1, 0, 1);

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final Conv2d downsampler;

  DownEncoderBlock2D(Parameters p, int in, int out, int layers, int groups, boolean addDownsample) {
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
    downsampler =
        addDownsample ? new Conv2d(p.sub("downsamplers.0.conv"), out, out, 3, 2, 0) : null;
  }

  NDArray forward(NDArray x) {
    for (ResnetBlock2D resnet : resnets) {
      x = resnet.forward(x);
    }
    return downsampler == null ? x : downsampler.forward(x.pad(PAD_RIGHT_BOTTOM, 0));
  }
}
