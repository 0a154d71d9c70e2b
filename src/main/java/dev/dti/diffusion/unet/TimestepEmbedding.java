package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;

/** diffusers' {@code TimestepEmbedding}: linear_1 → SiLU → linear_2. */
public final class TimestepEmbedding {

  private final Linear linear1;
  private final Linear linear2;

  public TimestepEmbedding(Parameters p, int inChannels, int timeEmbedDim) {
    this.linear1 = new Linear(p.sub("linear_1"), inChannels, timeEmbedDim, true);
    this.linear2 = new Linear(p.sub("linear_2"), timeEmbedDim, timeEmbedDim, true);
  }

  public NDArray forward(NDArray sinusoid) {
    return linear2.forward(Activations.silu(linear1.forward(sinusoid)));
  }
}
