package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.ResnetBlock2D;

/**
 * diffusers' {@code UNetMidBlock2DCrossAttn} with num_layers 1: resnet, transformer, resnet at the
 * deepest width; resnets divide by mid_block_scale_factor; heads = the last attention_head_dim.
 */
public final class UNetMidBlock2DCrossAttn {

  private final ResnetBlock2D resnet0;
  private final Transformer2DModel attention;
  private final ResnetBlock2D resnet1;

  public UNetMidBlock2DCrossAttn(Parameters p, UNet2DConditionConfig config) {
    int last = config.blockOutChannels().size() - 1;
    int channels = config.blockOutChannels().get(last);
    int heads = config.attentionHeads(last);
    this.resnet0 = resnet(p.sub("resnets").sub("0"), config, channels);
    this.attention =
        new Transformer2DModel(
            p.sub("attentions").sub("0"),
            heads,
            channels / heads,
            channels,
            config.transformerLayers(last),
            config.crossAttentionDim(),
            config.normNumGroups(),
            config.useLinearProjection(),
            config.upcastAttention());
    this.resnet1 = resnet(p.sub("resnets").sub("1"), config, channels);
  }

  private static ResnetBlock2D resnet(Parameters p, UNet2DConditionConfig config, int channels) {
    return new ResnetBlock2D(
        p,
        channels,
        channels,
        config.timeEmbedDim(),
        config.normNumGroups(),
        config.normEps(),
        config.midBlockScaleFactor());
  }

  public NDArray forward(NDArray x, NDArray temb, NDArray encoderHiddenStates) {
    NDArray h = resnet0.forward(x, temb);
    h = attention.forward(h, encoderHiddenStates);
    return resnet1.forward(h, temb);
  }

  public Transformer2DModel attention() {
    return attention;
  }
}
