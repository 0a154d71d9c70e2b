package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.ComponentFolder;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.CheckpointParameters;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;
import java.io.IOException;
import java.nio.file.Path;

/**
 * diffusers' {@code AutoencoderKL}: images in [-1, 1] ↔ latents. {@link #encode} returns the latent
 * distribution (quant_conv applied); {@link #decode} applies post_quant_conv and the decoder.
 * Neither applies {@link #scalingFactor()}: pipelines multiply latents by it after encoding and
 * divide by it before decoding.
 */
public final class AutoencoderKL {

  private final AutoencoderKLConfig config;
  private final Encoder encoder;
  private final Conv2d quantConv;
  private final Conv2d postQuantConv;
  private final Decoder decoder;
  private final Scalars scalars;

  public AutoencoderKL(Parameters p, AutoencoderKLConfig config) {
    this.config = config;
    int latent = config.latentChannels();
    encoder = new Encoder(p.sub("encoder"), config);
    quantConv = new Conv2d(p.sub("quant_conv"), 2 * latent, 2 * latent, 1, 1, 0);
    postQuantConv = new Conv2d(p.sub("post_quant_conv"), latent, latent, 1, 1, 0);
    decoder = new Decoder(p.sub("decoder"), config);
    scalars = p.scalars();
  }

  /**
   * Loads a diffusers vae/ folder: config.json and diffusion_pytorch_model[.fp16].safetensors, all
   * weights as float32 arrays owned by {@code manager}.
   */
  public static AutoencoderKL load(Path dir, NDManager manager) throws IOException {
    AutoencoderKLConfig config = AutoencoderKLConfig.read(dir.resolve("config.json"));
    Path weights = ComponentFolder.weightFile(dir, "diffusion_pytorch_model");
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      CheckpointParameters parameters = new CheckpointParameters(file, manager);
      AutoencoderKL model = new AutoencoderKL(parameters, config);
      ComponentFolder.requireAllUsed(parameters, weights);
      return model;
    }
  }

  public AutoencoderKLConfig config() {
    return config;
  }

  /** The factor latents are multiplied by after encoding (0.18215 for SD 1.x and 2.x). */
  public double scalingFactor() {
    return config.scalingFactor();
  }

  /** image [B, in_channels, H, W] in [-1, 1] → distribution over [B, latent, H/f, W/f]. */
  public DiagonalGaussianDistribution encode(NDArray image) {
    return new DiagonalGaussianDistribution(quantConv.forward(encoder.forward(image)), scalars);
  }

  /**
   * latent [B, latent, h, w] (unscaled) → image [B, out_channels, h·f, w·f], roughly in [-1, 1].
   */
  public NDArray decode(NDArray latent) {
    return decoder.forward(postQuantConv.forward(latent));
  }
}
