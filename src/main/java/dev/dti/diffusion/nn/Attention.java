package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/**
 * diffusers' {@code Attention} as the UNet uses it (AttnProcessor semantics): to_q, to_k, to_v
 * without bias, {@code heads} heads of {@code headDim}, softmax(q kᵀ · headDim^-½) v, then to_out.0
 * with bias. Self-attention when built without a cross-attention width.
 *
 * <p>upcast_attention (SD 2.1) computes the scores and the softmax in float32 even when the model
 * runs in half precision, then casts the probabilities back to the value's dtype; in float32 it
 * changes nothing.
 */
public final class Attention {

  private final int heads;
  private final long headDim;
  private final boolean upcastAttention;
  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;
  private final NDArray scale;

  /**
   * @param crossAttentionDim width of the encoder states attended to, or 0 for self-attention
   */
  public Attention(
      Parameters p,
      long queryDim,
      long crossAttentionDim,
      int heads,
      long headDim,
      boolean upcastAttention) {
    long inner = heads * headDim;
    long keyDim = crossAttentionDim > 0 ? crossAttentionDim : queryDim;
    this.heads = heads;
    this.headDim = headDim;
    this.upcastAttention = upcastAttention;
    this.toQ = new Linear(p.sub("to_q"), queryDim, inner, false);
    this.toK = new Linear(p.sub("to_k"), keyDim, inner, false);
    this.toV = new Linear(p.sub("to_v"), keyDim, inner, false);
    this.toOut = new Linear(p.sub("to_out").sub("0"), inner, queryDim, true);
    this.scale = p.scalars().of(Math.pow(headDim, -0.5));
  }

  /** x [B, T, queryDim]; context [B, S, crossAttentionDim] or null for self-attention. */
  public NDArray forward(NDArray x, NDArray context) {
    return Scoped.call(() -> attend(x, context));
  }

  private NDArray attend(NDArray x, NDArray context) {
    NDArray source = context == null ? x : context;
    NDArray q = splitHeads(toQ.forward(x));
    NDArray k = splitHeads(toK.forward(source));
    NDArray v = splitHeads(toV.forward(source));
    DataType valueType = v.getDataType();
    if (upcastAttention && valueType != DataType.FLOAT32) {
      q = q.toType(DataType.FLOAT32, false);
      k = k.toType(DataType.FLOAT32, false);
    }
    // Scaling q before the product (B·H·T·D values) rather than the scores (B·H·T·S) is the same
    // math as diffusers' baddbmm(alpha=scale) and saves one T×S tensor per layer.
    NDArray probabilities = q.mul(scale).matMul(k.transpose(0, 1, 3, 2)).softmax(-1);
    if (probabilities.getDataType() != valueType) {
      probabilities = probabilities.toType(valueType, false);
    }
    return toOut.forward(mergeHeads(probabilities.matMul(v)));
  }

  private NDArray splitHeads(NDArray x) {
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(1);
    return x.reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
  }

  private NDArray mergeHeads(NDArray x) {
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(2);
    return x.transpose(0, 2, 1, 3).reshape(batch, tokens, heads * headDim);
  }

  public int heads() {
    return heads;
  }

  public long headDim() {
    return headDim;
  }

  public boolean upcastAttention() {
    return upcastAttention;
  }
}
