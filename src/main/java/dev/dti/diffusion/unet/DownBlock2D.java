package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** diffusers' {@code DownBlock2D}: layers_per_block resnets, then a downsampler unless last. */
public final class DownBlock2D implements UNetDownBlock {

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final Downsample2D downsampler;

  public DownBlock2D(Parameters p, UNet2DConditionConfig config, int index) {
    int in =
        index == 0 ? config.blockOutChannels().get(0) : config.blockOutChannels().get(index - 1);
    int out = config.blockOutChannels().get(index);
    for (int i = 0; i < config.layersPerBlock(); i++) {
      resnets.add(
          new ResnetBlock2D(
              p.sub("resnets").sub(String.valueOf(i)),
              i == 0 ? in : out,
              out,
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              1.0));
    }
    boolean last = index == config.blockOutChannels().size() - 1;
    this.downsampler =
        last
            ? null
            : new Downsample2D(p.sub("downsamplers").sub("0"), out, config.downsamplePadding());
  }

  @Override
  public NDArray forward(
      NDArray x, NDArray temb, NDArray encoderHiddenStates, Deque<NDArray> skips) {
    NDArray h = x;
    for (ResnetBlock2D resnet : resnets) {
      h = resnet.forward(h, temb);
      skips.push(h);
    }
    if (downsampler != null) {
      h = downsampler.forward(h);
      skips.push(h);
    }
    return h;
  }
}
