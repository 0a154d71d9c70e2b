package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;
import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' {@code Transformer2DModel} for continuous inputs: GroupNorm (eps 1e-6), proj_in, the
 * pixels as a sequence of H·W tokens through {@link BasicTransformerBlock}s, proj_out, plus the
 * input. proj_in/proj_out are 1×1 convs applied on the image (SD 1.x, weights [C, C, 1, 1]) or,
 * with use_linear_projection (SD 2.x), Linears applied on the token sequence (weights [C, C]).
 */
public final class Transformer2DModel {

  private static final double NORM_EPS = 1e-6;

  private final GroupNorm norm;
  private final boolean useLinearProjection;
  private final Conv2d convProjIn;
  private final Conv2d convProjOut;
  private final Linear linearProjIn;
  private final Linear linearProjOut;
  private final List<BasicTransformerBlock> transformerBlocks = new ArrayList<>();
  private final long inner;

  public Transformer2DModel(
      Parameters p,
      int heads,
      int headDim,
      int inChannels,
      int layers,
      int crossAttentionDim,
      int groups,
      boolean useLinearProjection,
      boolean upcastAttention) {
    this.inner = (long) heads * headDim;
    this.norm = new GroupNorm(p.sub("norm"), groups, inChannels, NORM_EPS);
    this.useLinearProjection = useLinearProjection;
    if (useLinearProjection) {
      this.linearProjIn = new Linear(p.sub("proj_in"), inChannels, inner, true);
      this.convProjIn = null;
    } else {
      this.convProjIn = new Conv2d(p.sub("proj_in"), inChannels, inner, 1, 1, 0);
      this.linearProjIn = null;
    }
    for (int i = 0; i < layers; i++) {
      transformerBlocks.add(
          new BasicTransformerBlock(
              p.sub("transformer_blocks").sub(String.valueOf(i)),
              inner,
              heads,
              headDim,
              crossAttentionDim,
              upcastAttention));
    }
    if (useLinearProjection) {
      this.linearProjOut = new Linear(p.sub("proj_out"), inner, inChannels, true);
      this.convProjOut = null;
    } else {
      this.convProjOut = new Conv2d(p.sub("proj_out"), inner, inChannels, 1, 1, 0);
      this.linearProjOut = null;
    }
  }

  /** x [B, C, H, W], encoderHiddenStates [B, S, D] → [B, C, H, W]. */
  public NDArray forward(NDArray x, NDArray encoderHiddenStates) {
    return Scoped.call(() -> compute(x, encoderHiddenStates));
  }

  private NDArray compute(NDArray x, NDArray encoderHiddenStates) {
    long batch = x.getShape().get(0);
    long height = x.getShape().get(2);
    long width = x.getShape().get(3);
    NDArray h = norm.forward(x);
    if (useLinearProjection) {
      h = linearProjIn.forward(toTokens(h, batch, height * width, h.getShape().get(1)));
    } else {
      h = toTokens(convProjIn.forward(h), batch, height * width, inner);
    }
    for (BasicTransformerBlock block : transformerBlocks) {
      h = block.forward(h, encoderHiddenStates);
    }
    if (useLinearProjection) {
      h = toImage(linearProjOut.forward(h), batch, height, width);
    } else {
      h = convProjOut.forward(toImage(h, batch, height, width));
    }
    return h.add(x);
  }

  private static NDArray toTokens(NDArray image, long batch, long tokens, long channels) {
    return image.transpose(0, 2, 3, 1).reshape(batch, tokens, channels);
  }

  private static NDArray toImage(NDArray tokens, long batch, long height, long width) {
    long channels = tokens.getShape().get(2);
    return tokens.reshape(batch, height, width, channels).transpose(0, 3, 1, 2);
  }

  public List<BasicTransformerBlock> transformerBlocks() {
    return List.copyOf(transformerBlocks);
  }
}
