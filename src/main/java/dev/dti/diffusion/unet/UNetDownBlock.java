package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import java.util.Deque;

/** A block of the UNet's contracting path; pushes every state the up path will concatenate. */
public sealed interface UNetDownBlock permits CrossAttnDownBlock2D, DownBlock2D {

  /** Returns the block's hidden state; each resnet (and downsampler) output goes onto skips. */
  NDArray forward(NDArray x, NDArray temb, NDArray encoderHiddenStates, Deque<NDArray> skips);

  static UNetDownBlock create(Parameters p, UNet2DConditionConfig config, int index) {
    return switch (config.downBlockTypes().get(index)) {
      case UNet2DConditionConfig.CROSS_ATTN_DOWN -> new CrossAttnDownBlock2D(p, config, index);
      case UNet2DConditionConfig.DOWN -> new DownBlock2D(p, config, index);
      default ->
          throw new IllegalArgumentException(
              "unsupported down block " + config.downBlockTypes().get(index));
    };
  }
}
