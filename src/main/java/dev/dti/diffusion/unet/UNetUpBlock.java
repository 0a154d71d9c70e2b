package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import java.util.Deque;
import java.util.List;

/** A block of the UNet's expanding path; each resnet concatenates one skip state first. */
public sealed interface UNetUpBlock permits CrossAttnUpBlock2D, UpBlock2D {

  /** Pops one skip state per resnet (the most recent first), as diffusers slices them. */
  NDArray forward(NDArray x, NDArray temb, NDArray encoderHiddenStates, Deque<NDArray> skips);

  static UNetUpBlock create(Parameters p, UNet2DConditionConfig config, int index) {
    return switch (config.upBlockTypes().get(index)) {
      case UNet2DConditionConfig.CROSS_ATTN_UP -> new CrossAttnUpBlock2D(p, config, index);
      case UNet2DConditionConfig.UP -> new UpBlock2D(p, config, index);
      default ->
          throw new IllegalArgumentException(
              "unsupported up block " + config.upBlockTypes().get(index));
    };
  }

  /**
   * Channel bookkeeping of up block {@code index} as in diffusers' UNet2DConditionModel: it works
   * at reversed block_out_channels[index], receives the previous up block's output, and its last
   * resnet's skip comes from the next-shallower down block.
   */
  record Channels(int in, int out, int prevOut, int layers) {

    static Channels of(UNet2DConditionConfig config, int index) {
      List<Integer> reversed = config.blockOutChannels().reversed();
      int last = reversed.size() - 1;
      return new Channels(
          reversed.get(Math.min(index + 1, last)),
          reversed.get(index),
          reversed.get(Math.max(index - 1, 0)),
          config.layersPerBlock() + 1);
    }

    /** Input channels of resnet {@code j}: the running state plus the concatenated skip. */
    int resnetIn(int j) {
      int skip = j == layers - 1 ? in : out;
      int running = j == 0 ? prevOut : out;
      return running + skip;
    }
  }
}
