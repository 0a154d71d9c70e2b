package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scoped;

/**
 * diffusers' {@code FeedForward} with activation_fn "geglu" and mult 4: net.0 is a {@link GEGLU}
 * from dim to 4·dim, net.1 a dropout (identity in eval), net.2 a Linear back to dim.
 */
public final class FeedForward {

  private static final int MULT = 4;

  private final GEGLU geglu;
  private final Linear out;

  public FeedForward(Parameters p, long dim) {
    long inner = dim * MULT;
    this.geglu = new GEGLU(p.sub("net").sub("0"), dim, inner);
    this.out = new Linear(p.sub("net").sub("2"), inner, dim, true);
  }

  public NDArray forward(NDArray x) {
    return Scoped.call(() -> out.forward(geglu.forward(x)));
  }
}
