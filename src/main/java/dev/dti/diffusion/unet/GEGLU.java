package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;

/**
 * diffusers' {@code GEGLU} (Shazeer 2020): proj to 2·out, split in halves (hidden, gate) along the
 * last axis, hidden · gelu(gate) with the exact erf GELU.
 */
public final class GEGLU {

  private final Linear proj;

  public GEGLU(Parameters p, long in, long out) {
    this.proj = new Linear(p.sub("proj"), in, out * 2, true);
  }

  public NDArray forward(NDArray x) {
    NDArray projected = proj.forward(x);
    NDList halves = projected.split(2, projected.getShape().dimension() - 1);
    return halves.get(0).mul(Activations.gelu(halves.get(1)));
  }
}
