package dev.dti.diffusion.vae;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/**
 * diffusers' {@code ResnetBlock2D} as the VAE builds it: no time embedding, GroupNorm eps 1e-6,
 * output scale 1. out = shortcut(x) + conv2(SiLU(norm2(conv1(SiLU(norm1(x)))))).
 */
final class ResnetBlock2D {

  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut;

  ResnetBlock2D(Parameters p, int in, int out, int groups) {
    norm1 = new GroupNorm(p.sub("norm1"), groups, in, AutoencoderKLConfig.NORM_EPS);
    conv1 = new Conv2d(p.sub("conv1"), in, out, 3, 1, 1);
    norm2 = new GroupNorm(p.sub("norm2"), groups, out, AutoencoderKLConfig.NORM_EPS);
    conv2 = new Conv2d(p.sub("conv2"), out, out, 3, 1, 1);
    convShortcut = in == out ? null : new Conv2d(p.sub("conv_shortcut"), in, out, 1, 1, 0);
  }

  NDArray forward(NDArray x) {
    return Scoped.call(() -> compute(x));
  }

  private NDArray compute(NDArray x) {
    NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
    h = conv2.forward(Activations.silu(norm2.forward(h)));
    NDArray shortcut = convShortcut == null ? x : convShortcut.forward(x);
    return shortcut.add(h);
  }
}
