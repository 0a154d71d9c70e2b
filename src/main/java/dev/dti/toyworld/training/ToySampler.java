package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.pipeline.Conditioning;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.toyworld.ToyWorld;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Pictures for captions through the service's {@link TextToImage} (DDIM, classifier-free guidance
 * against the empty caption, seeded noise): from a loaded model folder, or from networks in memory
 * during training (the UNet's average, the VAE with its measured scaling factor).
 */
public interface ToySampler {

  /** One picture for {@code prompt}, from the noise of {@code seed}. */
  BufferedImage generate(String prompt, long seed, int steps, double guidance);

  /** A loaded diffusers folder, exactly as the service samples it. */
  static ToySampler of(StableDiffusionModel model) {
    return (prompt, seed, steps, guidance) ->
        TextToImage.generate(model, prompt, "", settings(seed, steps, guidance));
  }

  /** Networks in memory; prompts go through the toy tokenizer's ids. */
  static ToySampler of(
      CLIPTextModel textEncoder,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      SchedulerConfig scheduler) {
    return (prompt, seed, steps, guidance) -> {
      try (NDManager manager = NDManager.newBaseManager()) {
        NDArray cond =
            textEncoder.forward(ToyData.tokens(manager, List.of(prompt))).lastHiddenState();
        NDArray uncond =
            textEncoder.forward(ToyData.tokens(manager, List.of(""))).lastHiddenState();
        return TextToImage.generate(
            unet,
            vae,
            scheduler,
            Conditioning.of(cond),
            Conditioning.of(uncond),
            settings(seed, steps, guidance));
      }
    };
  }

  private static GenerationSettings settings(long seed, int steps, double guidance) {
    return new GenerationSettings(
        ToyWorld.IMAGE_SIZE, ToyWorld.IMAGE_SIZE, steps, guidance, 0, seed);
  }

  /** One picture a prompt, picture i from seed {@code seeds[i]}. */
  default List<BufferedImage> generateAll(
      List<String> prompts, long[] seeds, int steps, double guidance) {
    List<BufferedImage> pictures = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      pictures.add(generate(prompts.get(i), seeds[i], steps, guidance));
    }
    return pictures;
  }
}
