package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' {@code CrossAttnDownBlock2D}: layers_per_block pairs of (ResnetBlock2D,
 * Transformer2DModel), then a downsampler unless it is the last block. Heads = attention_head_dim
 * of this block; head_dim = channels / heads.
 */
public final class CrossAttnDownBlock2D implements UNetDownBlock {

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final List<Transformer2DModel> attentions = new ArrayList<>();
  private final Downsample2D downsampler;

  public CrossAttnDownBlock2D(Parameters p, UNet2DConditionConfig config, int index) {
    int in =
        index == 0 ? config.blockOutChannels().get(0) : config.blockOutChannels().get(index - 1);
    int out = config.blockOutChannels().get(index);
    int heads = config.attentionHeads(index);
    for (int i = 0; i < config.layersPerBlock(); i++) {
      String layer = String.valueOf(i);
      resnets.add(
          new ResnetBlock2D(
              p.sub("resnets").sub(layer),
              i == 0 ? in : out,
              out,
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              1.0));
      attentions.add(
          new Transformer2DModel(
              p.sub("attentions").sub(layer),
              heads,
              out / heads,
              out,
              config.transformerLayers(index),
              config.crossAttentionDim(),
              config.normNumGroups(),
              config.useLinearProjection(),
              config.upcastAttention()));
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
    for (int i = 0; i < resnets.size(); i++) {
      h = resnets.get(i).forward(h, temb);
      h = attentions.get(i).forward(h, encoderHiddenStates);
      skips.push(h);
    }
    if (downsampler != null) {
      h = downsampler.forward(h);
      skips.push(h);
    }
    return h;
  }

  public List<Transformer2DModel> attentions() {
    return List.copyOf(attentions);
  }
}
