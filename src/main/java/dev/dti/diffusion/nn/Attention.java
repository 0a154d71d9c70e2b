package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** Scaled dot-product attention over [B, T, C] projections split into heads. */
public final class Attention {

  private Attention() {}

  /**
   * softmax(q kᵀ · scale + mask) v, computed per head. q [B, Tq, H·D], k and v [B, Tk, H·D]; mask,
   * if given, broadcasts to [B, H, Tq, Tk] and is added to the scores. Returns [B, Tq, H·D].
   */
  public static NDArray scaledDotProduct(
      NDArray q, NDArray k, NDArray v, int heads, NDArray scale, NDArray mask) {
    return Scoped.call(() -> attend(q, k, v, heads, scale, mask));
  }

  private static NDArray attend(
      NDArray q, NDArray k, NDArray v, int heads, NDArray scale, NDArray mask) {
    long batch = q.getShape().get(0);
    long tq = q.getShape().get(1);
    long tk = k.getShape().get(1);
    long width = q.getShape().get(2);
    long headDim = width / heads;
    NDArray qh = q.reshape(batch, tq, heads, headDim).transpose(0, 2, 1, 3);
    NDArray kh = k.reshape(batch, tk, heads, headDim).transpose(0, 2, 3, 1);
    NDArray vh = v.reshape(batch, tk, heads, headDim).transpose(0, 2, 1, 3);
    NDArray scores = qh.matMul(kh).mul(scale);
    if (mask != null) {
      scores = scores.add(mask);
    }
    NDArray out = scores.softmax(-1).matMul(vh);
    return out.transpose(0, 2, 1, 3).reshape(batch, tq, width);
  }
}
