package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' {@code UpBlock2D}: layers_per_block + 1 resnets, each on cat([h, skip], channels),
 * then a nearest ×2 upsampler unless it is the last block.
 */
public final class UpBlock2D implements UNetUpBlock {

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final Upsample2D upsampler;

  public UpBlock2D(Parameters p, UNet2DConditionConfig config, int index) {
    Channels channels = Channels.of(config, index);
    for (int j = 0; j < channels.layers(); j++) {
      resnets.add(
          new ResnetBlock2D(
              p.sub("resnets").sub(String.valueOf(j)),
              channels.resnetIn(j),
              channels.out(),
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              1.0));
    }
    boolean last = index == config.blockOutChannels().size() - 1;
    this.upsampler = last ? null : new Upsample2D(p.sub("upsamplers").sub("0"), channels.out());
  }

  @Override
  public NDArray forward(
      NDArray x, NDArray temb, NDArray encoderHiddenStates, Deque<NDArray> skips) {
    NDArray h = x;
    for (ResnetBlock2D resnet : resnets) {
      h = resnet.forward(h.concat(skips.pop(), 1), temb);
    }
    return upsampler == null ? h : upsampler.forward(h);
  }
}
