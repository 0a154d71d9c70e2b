package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.nn.Parameters;
import java.util.ArrayList;
import java.util.List;

/** The stack of encoder layers. */
final class CLIPEncoder {

  private final List<CLIPEncoderLayer> layers = new ArrayList<>();

  CLIPEncoder(Parameters p, CLIPTextConfig config) {
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(new CLIPEncoderLayer(p.sub("layers." + i), config));
    }
  }

  /** Returns the input followed by each layer's output (transformers' hidden_states). */
  List<NDArray> forward(NDArray embeddings, NDArray causalMask) {
    List<NDArray> hiddenStates = new ArrayList<>(layers.size() + 1);
    NDArray hidden = embeddings;
    hiddenStates.add(hidden);
    for (CLIPEncoderLayer layer : layers) {
      hidden = layer.forward(hidden, causalMask);
      hiddenStates.add(hidden);
    }
    return List.copyOf(hiddenStates);
  }
}
