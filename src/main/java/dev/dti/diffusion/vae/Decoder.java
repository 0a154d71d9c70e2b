package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Parameters;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' VAE {@code Decoder}: conv_in → mid block → up blocks (widest first, layers_per_block +
 * 1 resnets each) → GroupNorm → SiLU → conv_out.
 */
final class Decoder {

  private final Conv2d convIn;
  private final UNetMidBlock2D midBlock;
  private final List<UpDecoderBlock2D> upBlocks = new ArrayList<>();
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  Decoder(Parameters p, AutoencoderKLConfig config) {
    List<Integer> channels = config.blockOutChannels().reversed();
    int groups = config.normNumGroups();
    int in = channels.get(0);
    convIn = new Conv2d(p.sub("conv_in"), config.latentChannels(), in, 3, 1, 1);
    midBlock = new UNetMidBlock2D(p.sub("mid_block"), in, groups);
    for (int i = 0; i < channels.size(); i++) {
      int out = channels.get(i);
      boolean last = i == channels.size() - 1;
      upBlocks.add(
          new UpDecoderBlock2D(
              p.sub("up_blocks." + i), in, out, config.layersPerBlock() + 1, groups, !last));
      in = out;
    }
    convNormOut = new GroupNorm(p.sub("conv_norm_out"), groups, in, AutoencoderKLConfig.NORM_EPS);
    convOut = new Conv2d(p.sub("conv_out"), in, config.outChannels(), 3, 1, 1);
  }

  NDArray forward(NDArray latent) {
    NDArray x = midBlock.forward(convIn.forward(latent));
    for (UpDecoderBlock2D block : upBlocks) {
      x = block.forward(x);
    }
    return convOut.forward(Activations.silu(convNormOut.forward(x)));
  }
}
