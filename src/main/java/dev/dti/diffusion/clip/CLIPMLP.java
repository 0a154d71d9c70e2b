package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;

/** fc2(act(fc1(x))) with quick_gelu (SD 1.x) or exact gelu (SD 2.x). */
final class CLIPMLP {

  private final Linear fc1;
  private final Linear fc2;
  private final String activation;
  private final Scalars scalars;

  CLIPMLP(Parameters p, CLIPTextConfig config) {
    this.fc1 = new Linear(p.sub("fc1"), config.hiddenSize(), config.intermediateSize(), true);
    this.fc2 = new Linear(p.sub("fc2"), config.intermediateSize(), config.hiddenSize(), true);
    this.activation = config.hiddenAct();
    this.scalars = p.scalars();
  }

  NDArray forward(NDArray x) {
    return fc2.forward(Activations.byName(activation, fc1.forward(x), scalars));
  }
}
