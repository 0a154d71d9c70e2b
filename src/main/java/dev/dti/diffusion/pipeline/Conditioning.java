package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * What the UNet is conditioned on for a batch of prompts, as diffusers' {@code encode_prompt}
 * returns it: the text encoder's hidden states {@code [B, T, cross_attention_dim]} and, for models
 * with a {@code text_time} addition embedding (SDXL), the pooled text embeddings {@code [B, P]} and
 * the time ids {@code [B, 6]}; both null for SD 1.x/2.x.
 */
public record Conditioning(NDArray hiddenStates, NDArray textEmbeds, NDArray timeIds) {

  /** SD 1.x/2.x: hidden states only. */
  public static Conditioning of(NDArray hiddenStates) {
    return new Conditioning(hiddenStates, null, null);
  }

  /** This conditioning with the given time ids {@code [B, 6]} (see {@link AddTimeIds}). */
  public Conditioning withTimeIds(NDArray timeIds) {
    return new Conditioning(hiddenStates, textEmbeds, timeIds);
  }

  /** Whether the UNet needs its addition embedding for this conditioning. */
  public boolean hasAddedConditions() {
    return textEmbeds != null || timeIds != null;
  }

  /** {@code [uncond, cond]} along the batch, as classifier-free guidance runs them in one pass. */
  public static Conditioning batch(Conditioning uncond, Conditioning cond) {
    return new Conditioning(
        concat(uncond.hiddenStates, cond.hiddenStates),
        concat(uncond.textEmbeds, cond.textEmbeds),
        concat(uncond.timeIds, cond.timeIds));
  }

  private static NDArray concat(NDArray first, NDArray second) {
    if (first == null && second == null) {
      return null;
    }
    if (first == null || second == null) {
      throw new IllegalArgumentException("both halves of a guidance batch need the same inputs");
    }
    return NDArrays.concat(new NDList(first, second), 0);
  }
}
