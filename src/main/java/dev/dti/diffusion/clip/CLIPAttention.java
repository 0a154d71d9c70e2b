package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Attention;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;

/** Multi-head self-attention; q is scaled by head_dim^-0.5 after its bias, as transformers does. */
final class CLIPAttention {

  private final int heads;
  private final Linear qProj;
  private final Linear kProj;
  private final Linear vProj;
  private final Linear outProj;
  private final NDArray scale;

  CLIPAttention(Parameters p, CLIPTextConfig config) {
    long width = config.hiddenSize();
    this.heads = config.numAttentionHeads();
    this.qProj = new Linear(p.sub("q_proj"), width, width, true);
    this.kProj = new Linear(p.sub("k_proj"), width, width, true);
    this.vProj = new Linear(p.sub("v_proj"), width, width, true);
    this.outProj = new Linear(p.sub("out_proj"), width, width, true);
    this.scale = p.scalars().of(1.0 / Math.sqrt(config.headDim()));
  }

  /** hidden [B, T, C]; causalMask [T, T] additive. */
  NDArray forward(NDArray hidden, NDArray causalMask) {
    NDArray attended =
        Attention.scaledDotProduct(
            qProj.forward(hidden),
            kProj.forward(hidden),
            vProj.forward(hidden),
            heads,
            scale,
            causalMask);
    return outProj.forward(attended);
  }
}
