package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDManager;

/**
 * A prompt → the UNet's {@link Conditioning}, with any learned concept rows already in place. SD
 * 1.x/2.x fill it with one tokenizer and one text encoder ({@link PromptEncoder}); a model with two
 * text encoders (SDXL) fills it with both, concatenated, plus the pooled embeddings and time ids.
 */
public interface TextConditioning {

  /** The conditioning of one prompt, batch size 1; arrays belong to {@code manager}. */
  Conditioning encode(String prompt, NDManager manager);
}
