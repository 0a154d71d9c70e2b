package dev.dti.bench;

import dev.dti.diffusion.clip.CLIPTextConfig;

/**
 * Floating-point operations of one CLIP text encoder forward pass, counted as {@link UNetFlops}
 * counts: 2 per multiply-add of every linear layer (q, k, v, out, fc1, fc2) and attention matmul
 * (q·kᵀ, probabilities·v). Embedding lookups, layer norms, activations and softmax are left out.
 */
public final class CLIPTextFlops {

  private CLIPTextFlops() {}

  /** For a batch of {@code tokens}-long sequences. */
  public static long forward(CLIPTextConfig config, long batch, long tokens) {
    long d = config.hiddenSize();
    long projections = 4 * 2 * tokens * d * d;
    long attention = 2 * 2 * tokens * tokens * d;
    long mlp = 2 * 2 * tokens * d * config.intermediateSize();
    return batch * config.numHiddenLayers() * (projections + attention + mlp);
  }
}
