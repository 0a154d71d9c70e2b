package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link TextConditioning} of SD 1.x/2.x: token ids padded and truncated to the tokenizer's
 * length (as diffusers' encode_prompt), then the text encoder's last hidden state [1,
 * model_max_length, hidden]. Learned concepts take part through {@link #withConcepts}.
 */
public final class PromptEncoder implements TextConditioning {

  private final StableDiffusionModel model;
  private final CLIPTokenizer tokenizer;
  private final Map<Integer, NDArray> injected;

  private PromptEncoder(
      StableDiffusionModel model, CLIPTokenizer tokenizer, Map<Integer, NDArray> injected) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.injected = injected;
  }

  /** An encoder with the model's own vocabulary only. */
  public static PromptEncoder of(StableDiffusionModel model) {
    return new PromptEncoder(model, model.tokenizer(), Map.of());
  }

  /**
   * An encoder whose prompts may use the given concept tokens: each token ({@code <tok>}) is
   * registered on a copy of the model's tokenizer with one id per row, and its rows (created in
   * {@code manager}) replace those ids' embeddings in the text encoder.
   */
  public static PromptEncoder withConcepts(
      StableDiffusionModel model, Map<String, float[][]> conceptRows, NDManager manager) {
    CLIPTokenizer tokenizer = model.tokenizer().withoutPlaceholders();
    Map<Integer, NDArray> injected = new HashMap<>();
    conceptRows.forEach(
        (token, rows) -> {
          List<Integer> ids = tokenizer.addPlaceholderToken(token, rows.length);
          for (int k = 0; k < rows.length; k++) {
            injected.put(ids.get(k), manager.create(rows[k]));
          }
        });
    return new PromptEncoder(model, tokenizer, injected);
  }

  @Override
  public Conditioning encode(String prompt, NDManager manager) {
    long[] ids = Arrays.stream(tokenizer.encodePadded(prompt)).asLongStream().toArray();
    NDArray inputIds = manager.create(ids).reshape(1, ids.length);
    return Conditioning.of(model.textEncoder().forward(inputIds, injected).lastHiddenState());
  }
}
