package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A prompt → the UNet's conditioning [1, model_max_length, hidden]: token ids padded and truncated
 * to the tokenizer's length (as diffusers' encode_prompt), then the text encoder's last hidden
 * state.
 */
public final class PromptEncoder {

  private PromptEncoder() {}

  public static NDArray encode(StableDiffusionModel model, String prompt, NDManager manager) {
    int[] padded = model.tokenizer().encodePadded(prompt);
    long[] ids = java.util.Arrays.stream(padded).asLongStream().toArray();
    NDArray inputIds = manager.create(ids).reshape(1, ids.length);
    return model.textEncoder().forward(inputIds).lastHiddenState();
  }
}
