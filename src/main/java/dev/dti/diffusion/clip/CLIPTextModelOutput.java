package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What {@link CLIPTextModelWithProjection#forward} returns, as transformers' CLIPTextModelOutput
 * with output_hidden_states=True, plus the pooled output before the projection.
 *
 * @param textEmbeds text_projection(pooledOutput) [B, projection_dim]: SDXL's pooled prompt
 *     embedding
 * @param lastHiddenState final_layer_norm(last layer output) [B, T, C]
 * @param hiddenStates the embeddings output, then each encoder layer's output (no final LN)
 * @param pooledOutput lastHiddenState at the pooled position of each sequence [B, C]
 */
public record CLIPTextModelOutput(
    NDArray textEmbeds, NDArray lastHiddenState, List<NDArray> hiddenStates, NDArray pooledOutput) {

  /** hidden_states[-2]: the output of the second-to-last layer, before final_layer_norm. */
  public NDArray penultimateHiddenState() {
    return hiddenStates.get(hiddenStates.size() - 2);
  }
}
