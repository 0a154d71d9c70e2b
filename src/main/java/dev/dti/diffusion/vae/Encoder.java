package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' VAE {@code Encoder}: conv_in → down blocks → mid block → GroupNorm → SiLU → conv_out
 * to 2·latent_channels (mean and log-variance).
 */
final class Encoder {

  private final Conv2d convIn;
  private final List<DownEncoderBlock2D> downBlocks = new ArrayList<>();
  private final UNetMidBlock2D midBlock;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  Encoder(Parameters p, AutoencoderKLConfig config) {
    List<Integer> channels = config.blockOutChannels();
    int groups = config.normNumGroups();
    convIn = new Conv2d(p.sub("conv_in"), config.inChannels(), channels.get(0), 3, 1, 1);
    int in = channels.get(0);
    for (int i = 0; i < channels.size(); i++) {
      int out = channels.get(i);
      boolean last = i == channels.size() - 1;
      downBlocks.add(
          new DownEncoderBlock2D(
              p.sub("down_blocks." + i), in, out, config.layersPerBlock(), groups, !last));
      in = out;
    }
    midBlock = new UNetMidBlock2D(p.sub("mid_block"), in, groups);
    convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, in, AutoencoderKLConfig.NORM_EPS);
    convOut = new Conv2d(p.sub("conv_out"), in, 2 * config.latentChannels(), 3, 1, 1);
  }

  NDArray forward(NDArray image) {
    NDArray x = convIn.forward(image);
    for (DownEncoderBlock2D block : downBlocks) {
      x = block.forward(x);
    }
    x = midBlock.forward(x);
    return convOut.forward(Activations.silu(convNormOut.forward(x)));
  }
}
