package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDManager;

/**
 * A prompt → the UNet's {@link Conditioning}, with any learned concept rows already in place. SD
 * 1.x/2.x fill it with one tokenizer and one text encoder ({@link PromptEncoder}); a model with two
 * text encoders (SDXL, {@link StableDiffusionXLPromptEncoder}) fills it with both, concatenated,
 * plus the pooled embeddings; the time ids are added by the sampler, which knows the image size.
 */
public interface TextConditioning {

  /** The conditioning of one prompt, batch size 1; arrays belong to {@code manager}. */
  Conditioning encode(String prompt, NDManager manager);

  /**
   * The conditioning of the negative prompt, where {@code null} means none was given: SD 1.x/2.x
   * encode the empty prompt for it (as diffusers' StableDiffusionPipeline does).
   */
  default Conditioning encodeNegative(String negativePrompt, NDManager manager) {
    return encode(negativePrompt == null ? "" : negativePrompt, manager);
  }
}
