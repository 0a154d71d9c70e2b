package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code Attention} (attention_processor.py, AttnProcessor semantics) as the UNet's
 * transformer blocks build it: to_q, to_k, to_v without bias, {@code heads} heads of {@code
 * headDim}, softmax(q kᵀ · headDim^-½) v, then to_out.0 with bias. Self-attention when built
 * without a cross-attention width. {@link #scaledDotProduct} is its kernel, which the text
 * encoder's {@code CLIPAttention} and the VAE's mid-block {@code AttentionBlock} use too.
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
    return Scoped.call(
        () -> {
          NDArray source = context == null ? x : context;
          NDArray attended =
              attend(
                  toQ.forward(x),
                  toK.forward(source),
                  toV.forward(source),
                  heads,
                  scale,
                  null,
                  upcastAttention);
          return toOut.forward(attended);
        });
  }

  /**
   * softmax(q·scale kᵀ + mask) v, computed per head. q [B, Tq, H·D], k and v [B, Tk, H·D]; mask, if
   * given, broadcasts to [B, H, Tq, Tk] and is added to the scores. Returns [B, Tq, H·D].
   */
  public static NDArray scaledDotProduct(
      NDArray q, NDArray k, NDArray v, int heads, NDArray scale, NDArray mask) {
    return Scoped.call(() -> attend(q, k, v, heads, scale, mask, false));
  }

  private static NDArray attend(
      NDArray q,
      NDArray k,
      NDArray v,
      int heads,
      NDArray scale,
      NDArray mask,
      boolean upcastAttention) {
    NDArray qh = splitHeads(q, heads);
    NDArray kh = splitHeads(k, heads);
    NDArray vh = splitHeads(v, heads);
    DataType valueType = vh.getDataType();
    if (upcastAttention && valueType != DataType.FLOAT32) {
      qh = qh.toType(DataType.FLOAT32, false);
      kh = kh.toType(DataType.FLOAT32, false);
    }
    // Scaling q before the product (B·H·T·D values) rather than the scores (B·H·T·S) is the same
    // math as diffusers' baddbmm(alpha=scale) and saves one T×S tensor per layer.
    NDArray scores = qh.mul(scale).matMul(kh.transpose(0, 1, 3, 2));
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray probabilities = scores.softmax(-1);
    if (probabilities.getDataType() != valueType) {
      probabilities = probabilities.toType(valueType, false);
    }
    return mergeHeads(probabilities.matMul(vh));
  }

  private static NDArray splitHeads(NDArray x, int heads) {
    long batch = x.getShape().get(0);
    long tokens = x.getShape().get(1);
    long width = x.getShape().get(2);
    return x.reshape(batch, tokens, heads, width / heads).transpose(0, 2, 1, 3);
  }

  private static NDArray mergeHeads(NDArray x) {
    long batch = x.getShape().get(0);
    long heads = x.getShape().get(1);
    long tokens = x.getShape().get(2);
    long headDim = x.getShape().get(3);
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
