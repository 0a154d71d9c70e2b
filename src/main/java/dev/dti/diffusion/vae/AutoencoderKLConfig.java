package dev.dti.diffusion.vae;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The keys of diffusers' {@code AutoencoderKL} config.json that shape the model. Every default is
 * the one of the diffusers 0.27.2 constructor ({@code autoencoders/autoencoder_kl.py}) and is
 * listed only in {@link #read}.
 */
public record AutoencoderKLConfig(
    int inChannels,
    int outChannels,
    List<String> downBlockTypes,
    List<String> upBlockTypes,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    String actFn,
    int latentChannels,
    int normNumGroups,
    int sampleSize,
    double scalingFactor) {

  /** GroupNorm eps of every VAE norm (diffusers passes 1e-6 to all of them; it is not a key). */
  public static final double NORM_EPS = 1e-6;

  public AutoencoderKLConfig {
    downBlockTypes = List.copyOf(downBlockTypes);
    upBlockTypes = List.copyOf(upBlockTypes);
    blockOutChannels = List.copyOf(blockOutChannels);
    if (downBlockTypes.size() != blockOutChannels.size()
        || upBlockTypes.size() != blockOutChannels.size()) {
      throw new IllegalArgumentException(
          "down_block_types, up_block_types and block_out_channels must have the same length");
    }
    for (String type : downBlockTypes) {
      if (!type.equals("DownEncoderBlock2D")) {
        throw new IllegalArgumentException("unsupported VAE down block type '" + type + "'");
      }
    }
    for (String type : upBlockTypes) {
      if (!type.equals("UpDecoderBlock2D")) {
        throw new IllegalArgumentException("unsupported VAE up block type '" + type + "'");
      }
    }
    if (!actFn.equals("silu")) {
      throw new IllegalArgumentException("unsupported VAE act_fn '" + actFn + "'");
    }
  }

  public static AutoencoderKLConfig read(Path configJson) throws IOException {
    ConfigJson c = ConfigJson.read(configJson);
    return new AutoencoderKLConfig(
        c.getInt("in_channels", 3),
        c.getInt("out_channels", 3),
        c.getStringList("down_block_types", List.of("DownEncoderBlock2D")),
        c.getStringList("up_block_types", List.of("UpDecoderBlock2D")),
        c.getIntList("block_out_channels", List.of(64)),
        c.getInt("layers_per_block", 1),
        c.getString("act_fn", "silu"),
        c.getInt("latent_channels", 4),
        c.getInt("norm_num_groups", 32),
        c.getInt("sample_size", 32),
        c.getDouble("scaling_factor", 0.18215));
  }

  /** How much smaller the latent is than the image: 2^(number of blocks − 1), 8 for SD. */
  public int scaleFactor() {
    return 1 << (blockOutChannels.size() - 1);
  }
}
