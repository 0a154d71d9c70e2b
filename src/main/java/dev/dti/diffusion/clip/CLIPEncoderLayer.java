package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.LayerNorm;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/** Pre-LN block: h += self_attn(layer_norm1(h)); h += mlp(layer_norm2(h)). */
final class CLIPEncoderLayer {

  private final LayerNorm layerNorm1;
  private final CLIPAttention selfAttn;
  private final LayerNorm layerNorm2;
  private final CLIPMLP mlp;

  CLIPEncoderLayer(Parameters p, CLIPTextConfig config) {
    this.layerNorm1 =
        new LayerNorm(p.sub("layer_norm1"), config.hiddenSize(), config.layerNormEps());
    this.selfAttn = new CLIPAttention(p.sub("self_attn"), config);
    this.layerNorm2 =
        new LayerNorm(p.sub("layer_norm2"), config.hiddenSize(), config.layerNormEps());
    this.mlp = new CLIPMLP(p.sub("mlp"), config);
  }

  NDArray forward(NDArray hidden, NDArray causalMask) {
    return Scoped.call(() -> compute(hidden, causalMask));
  }

  private NDArray compute(NDArray hidden, NDArray causalMask) {
    NDArray h = hidden.add(selfAttn.forward(layerNorm1.forward(hidden), causalMask));
    return h.add(mlp.forward(layerNorm2.forward(h)));
  }
}
