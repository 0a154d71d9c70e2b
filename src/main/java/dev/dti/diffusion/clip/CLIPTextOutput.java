package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What {@link CLIPTextModel#forward} returns, as transformers' BaseModelOutputWithPooling with
 * output_hidden_states=True.
 *
 * @param lastHiddenState final_layer_norm(last layer output) [B, T, C]: what SD 1.x conditions on
 * @param hiddenStates the embeddings output, then each encoder layer's output (no final LN)
 * @param pooledOutput lastHiddenState at the pooled (eos) position of each sequence [B, C]
 */
public record CLIPTextOutput(
    NDArray lastHiddenState, List<NDArray> hiddenStates, NDArray pooledOutput) {

  /** hidden_states[-2]: the output of the second-to-last layer, before final_layer_norm. */
  public NDArray penultimateHiddenState() {
    return hiddenStates.get(hiddenStates.size() - 2);
  }
}
