package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Attention;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/**
 * The VAE mid-block self-attention (diffusers' {@code Attention} built with one head of width C and
 * a GroupNorm, formerly {@code AttentionBlock}): GroupNorm → attention over the H·W positions →
 * to_out.0 → + x.
 *
 * <p>Older hub checkpoints name the projections {@code query/key/value/proj_attn}; diffusers
 * renames them to {@code to_q/to_k/to_v/to_out.0} on load, and so does this class.
 */
final class AttentionBlock {

  private final GroupNorm groupNorm;
  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;
  private final NDArray scale;

  AttentionBlock(Parameters p, int channels, int groups) {
    groupNorm = new GroupNorm(p.sub("group_norm"), groups, channels, AutoencoderKLConfig.NORM_EPS);
    toQ = projection(p, "to_q", "query", channels);
    toK = projection(p, "to_k", "key", channels);
    toV = projection(p, "to_v", "value", channels);
    toOut = projection(p, "to_out.0", "proj_attn", channels);
    scale = p.scalars().of(1.0 / Math.sqrt(channels));
  }

  private static Linear projection(Parameters p, String name, String legacyName, int channels) {
    boolean legacy = !p.has(name + ".weight") && p.has(legacyName + ".weight");
    return new Linear(p.sub(legacy ? legacyName : name), channels, channels, true);
  }

  NDArray forward(NDArray x) {
    return Scoped.call(() -> compute(x));
  }

  private NDArray compute(NDArray x) {
    long batch = x.getShape().get(0);
    long channels = x.getShape().get(1);
    long height = x.getShape().get(2);
    long width = x.getShape().get(3);
    NDArray tokens =
        groupNorm.forward(x).reshape(batch, channels, height * width).transpose(0, 2, 1);
    NDArray attended =
        Attention.scaledDotProduct(
            toQ.forward(tokens), toK.forward(tokens), toV.forward(tokens), 1, scale, null);
    NDArray out =
        toOut.forward(attended).transpose(0, 2, 1).reshape(batch, channels, height, width);
    return out.add(x);
  }
}
