package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * diffusers' {@code CrossAttnUpBlock2D}: layers_per_block + 1 pairs of (ResnetBlock2D on cat([h,
 * skip], channels), Transformer2DModel), then a nearest ×2 upsampler unless it is the last block.
 * Heads come from the mirrored down block (diffusers' reversed_num_attention_heads).
 */
public final class CrossAttnUpBlock2D implements UNetUpBlock {

  private final List<ResnetBlock2D> resnets = new ArrayList<>();
  private final List<Transformer2DModel> attentions = new ArrayList<>();
  private final Upsample2D upsampler;

  public CrossAttnUpBlock2D(Parameters p, UNet2DConditionConfig config, int index) {
    Channels channels = Channels.of(config, index);
    int blocks = config.blockOutChannels().size();
    int heads = config.attentionHeads(blocks - 1 - index);
    for (int j = 0; j < channels.layers(); j++) {
      String layer = String.valueOf(j);
      resnets.add(
          new ResnetBlock2D(
              p.sub("resnets").sub(layer),
              channels.resnetIn(j),
              channels.out(),
              config.timeEmbedDim(),
              config.normNumGroups(),
              config.normEps(),
              1.0));
      attentions.add(
          new Transformer2DModel(
              p.sub("attentions").sub(layer),
              heads,
              channels.out() / heads,
              channels.out(),
              config.transformerLayers(blocks - 1 - index),
              config.crossAttentionDim(),
              config.normNumGroups(),
              config.useLinearProjection(),
              config.upcastAttention()));
    }
    boolean last = index == blocks - 1;
    this.upsampler = last ? null : new Upsample2D(p.sub("upsamplers").sub("0"), channels.out());
  }

  @Override
  public NDArray forward(
      NDArray x, NDArray temb, NDArray encoderHiddenStates, Deque<NDArray> skips) {
    NDArray h = x;
    for (int j = 0; j < resnets.size(); j++) {
      h = resnets.get(j).forward(h.concat(skips.pop(), 1), temb);
      h = attentions.get(j).forward(h, encoderHiddenStates);
    }
    return upsampler == null ? h : upsampler.forward(h);
  }

  public List<Transformer2DModel> attentions() {
    return List.copyOf(attentions);
  }
}
