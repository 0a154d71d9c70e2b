package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.pipeline.Images;
import dev.dti.diffusion.scheduler.DDIMScheduler;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Text-to-image with classifier-free guidance and deterministic DDIM, the Stable Diffusion recipe:
 * ε = ε(∅) + w·(ε(c) − ε(∅)), latents from N(0, 1) of a seeded generator (one per picture, seeded
 * by the picture's seed), decoded after dividing by the VAE's scaling factor.
 */
public final class ToySampler {

  /** Pictures sampled in one UNet batch (doubled by guidance). */
  static final int CHUNK = 32;

  private final CLIPTextModel textEncoder;
  private final UNet2DConditionModel unet;
  private final AutoencoderKL vae;
  private final double scalingFactor;
  private final SchedulerConfig schedulerConfig;

  public ToySampler(
      CLIPTextModel textEncoder,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      double scalingFactor,
      SchedulerConfig schedulerConfig) {
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.vae = vae;
    this.scalingFactor = scalingFactor;
    this.schedulerConfig = schedulerConfig;
  }

  /** One picture per prompt; picture i starts from the noise of seed {@code seeds[i]}. */
  public List<BufferedImage> generate(
      NDManager manager, List<String> prompts, long[] seeds, int steps, double guidance) {
    List<BufferedImage> images = new ArrayList<>(prompts.size());
    for (int from = 0; from < prompts.size(); from += CHUNK) {
      int to = Math.min(prompts.size(), from + CHUNK);
      long[] chunkSeeds = java.util.Arrays.copyOfRange(seeds, from, to);
      images.addAll(generateChunk(manager, prompts.subList(from, to), chunkSeeds, steps, guidance));
    }
    return images;
  }

  private List<BufferedImage> generateChunk(
      NDManager manager, List<String> prompts, long[] seeds, int steps, double guidance) {
    try (NDManager local = manager.newSubManager();
        NDScope ignored = new NDScope()) {
      int n = prompts.size();
      List<String> both = new ArrayList<>(Collections.nCopies(n, ""));
      both.addAll(prompts);
      NDArray text = textEncoder.forward(ToyData.tokens(local, both)).lastHiddenState();
      int channels = unet.config().inChannels();
      int size = unet.config().sampleSize();
      float[] noise = new float[n * channels * size * size];
      int per = channels * size * size;
      for (int i = 0; i < n; i++) {
        NDArray one =
            ToyData.gaussian(
                local, new SplittableRandom(seeds[i]), new Shape(1, channels, size, size));
        System.arraycopy(one.toFloatArray(), 0, noise, i * per, per);
      }
      NDArray latents = local.create(noise, new Shape(n, channels, size, size));
      DDIMScheduler scheduler = new DDIMScheduler(schedulerConfig);
      scheduler.setTimesteps(steps);
      NDArray weight = local.full(new Shape(), (float) guidance, DataType.FLOAT32);
      for (int t : scheduler.timesteps()) {
        try (NDScope step = new NDScope()) {
          NDArray input = latents.concat(latents, 0);
          NDArray timestep = local.full(new Shape(2L * n), t, DataType.INT64);
          NDList halves = unet.forward(input, timestep, text).split(2, 0);
          NDArray unconditional = halves.get(0);
          NDArray epsilon = unconditional.add(halves.get(1).sub(unconditional).mul(weight));
          NDArray next = scheduler.step(epsilon, t, latents).prevSample();
          step.suppressNotUsedWarning();
          NDScope.unregister(next);
          latents = next;
        }
      }
      NDArray scale = local.full(new Shape(), (float) (1 / scalingFactor), DataType.FLOAT32);
      return Images.fromDecoded(vae.decode(latents.mul(scale)));
    }
  }
}
