package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code ResnetBlock2D} with time_embedding_norm "default": GN → SiLU → conv1 → + the
 * projected time embedding per channel → GN → SiLU → conv2, plus the input (through a 1×1
 * conv_shortcut when the channel count changes), divided by output_scale_factor. Built with {@code
 * tembChannels} 0 it has no time_emb_proj and no time term, as diffusers' {@code
 * temb_channels=None} (the VAE's blocks).
 */
public final class ResnetBlock2D {

  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut;
  private final NDArray outputScaleFactor;

  public ResnetBlock2D(
      Parameters p,
      int inChannels,
      int outChannels,
      int tembChannels,
      int groups,
      double eps,
      double outputScaleFactor) {
    this.norm1 = new GroupNorm(p.sub("norm1"), groups, inChannels, eps);
    this.conv1 = new Conv2d(p.sub("conv1"), inChannels, outChannels, 3, 1, 1);
    this.timeEmbProj =
        tembChannels > 0
            ? new Linear(p.sub("time_emb_proj"), tembChannels, outChannels, true)
            : null;
    this.norm2 = new GroupNorm(p.sub("norm2"), groups, outChannels, eps);
    this.conv2 = new Conv2d(p.sub("conv2"), outChannels, outChannels, 3, 1, 1);
    this.convShortcut =
        inChannels == outChannels
            ? null
            : new Conv2d(p.sub("conv_shortcut"), inChannels, outChannels, 1, 1, 0);
    this.outputScaleFactor = outputScaleFactor == 1.0 ? null : p.scalars().of(outputScaleFactor);
  }

  /** x [B, C_in, H, W] → [B, C_out, H, W], for a block built without a time embedding. */
  public NDArray forward(NDArray x) {
    return forward(x, null);
  }

  /** x [B, C_in, H, W], temb [B, temb_channels] (null without one) → [B, C_out, H, W]. */
  public NDArray forward(NDArray x, NDArray temb) {
    if ((temb == null) != (timeEmbProj == null)) {
      throw new IllegalArgumentException(
          timeEmbProj == null
              ? "this ResnetBlock2D has no time embedding"
              : "this ResnetBlock2D needs a time embedding");
    }
    return Scoped.call(() -> compute(x, temb));
  }

  private NDArray compute(NDArray x, NDArray temb) {
    NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
    if (temb != null) {
      NDArray t = timeEmbProj.forward(Activations.silu(temb));
      h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
    }
    h = conv2.forward(Activations.silu(norm2.forward(h)));
    NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
    NDArray out = shortcut.add(h);
    return outputScaleFactor == null ? out : out.div(outputScaleFactor);
  }
}
