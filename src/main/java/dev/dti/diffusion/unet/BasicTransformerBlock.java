package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Attention;
import dev.dti.diffusion.nn.LayerNorm;
import dev.dti.diffusion.nn.Parameters;

/**
 * diffusers' {@code BasicTransformerBlock} as SD uses it (norm_type "layer_norm", eps 1e-5):
 * pre-norm self-attention (norm1/attn1), cross-attention to the text (norm2/attn2) and a GEGLU
 * feed-forward (norm3/ff), each added to the residual stream.
 */
public final class BasicTransformerBlock {

  private static final double NORM_EPS = 1e-5;

  private final LayerNorm norm1;
  private final Attention attn1;
  private final LayerNorm norm2;
  private final Attention attn2;
  private final LayerNorm norm3;
  private final FeedForward ff;

  public BasicTransformerBlock(
      Parameters p,
      long dim,
      int heads,
      long headDim,
      long crossAttentionDim,
      boolean upcastAttention) {
    this.norm1 = new LayerNorm(p.sub("norm1"), dim, NORM_EPS);
    this.attn1 = new Attention(p.sub("attn1"), dim, 0, heads, headDim, upcastAttention);
    this.norm2 = new LayerNorm(p.sub("norm2"), dim, NORM_EPS);
    this.attn2 =
        new Attention(p.sub("attn2"), dim, crossAttentionDim, heads, headDim, upcastAttention);
    this.norm3 = new LayerNorm(p.sub("norm3"), dim, NORM_EPS);
    this.ff = new FeedForward(p.sub("ff"), dim);
  }

  /** x [B, T, dim], encoderHiddenStates [B, S, crossAttentionDim] → [B, T, dim]. */
  public NDArray forward(NDArray x, NDArray encoderHiddenStates) {
    NDArray h = attn1.forward(norm1.forward(x), null).add(x);
    h = attn2.forward(norm2.forward(h), encoderHiddenStates).add(h);
    return ff.forward(norm3.forward(h)).add(h);
  }

  public Attention attn1() {
    return attn1;
  }

  public Attention attn2() {
    return attn2;
  }
}
