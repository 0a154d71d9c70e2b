package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.nn.Linear;
import dev.dti.diffusion.nn.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * transformers' CLIPTextModelWithProjection (SDXL's text_encoder_2): the CLIP text transformer of
 * {@link CLIPTextModel} plus {@code text_projection}, a Linear without bias applied to the pooled
 * output. Parameter names are the checkpoint's ({@code text_model.…}, {@code
 * text_projection.weight}); all weights are frozen.
 */
public final class CLIPTextModelWithProjection {

  private static final String TOKEN_EMBEDDING = CLIPTextModel.TOKEN_EMBEDDING;

  private final CLIPTextModelWithProjectionConfig config;
  private final CLIPTextTransformer textModel;
  private final Linear textProjection;
  private final Map<String, NDArray> parameters;

  public CLIPTextModelWithProjection(Parameters p, CLIPTextModelWithProjectionConfig config) {
    this.config = config;
    this.textModel = new CLIPTextTransformer(p.sub("text_model"), config.text());
    this.textProjection =
        new Linear(
            p.sub("text_projection"), config.text().hiddenSize(), config.projectionDim(), false);
    this.parameters = p.all();
  }

  /**
   * Loads a diffusers {@code text_encoder_2} folder: config.json plus model.safetensors (or
   * model.fp16.safetensors, widened to float32) into {@code manager}.
   */
  public static CLIPTextModelWithProjection fromPretrained(Path folder, NDManager manager)
      throws IOException {
    CLIPTextModelWithProjectionConfig config =
        CLIPTextModelWithProjectionConfig.read(folder.resolve("config.json"));
    return CLIPTextModel.load(
        folder, manager, parameters -> new CLIPTextModelWithProjection(parameters, config));
  }

  public CLIPTextModelOutput forward(NDArray inputIds) {
    return forward(inputIds, Map.of());
  }

  /**
   * Encodes inputIds [B, T] (int64) with caller-owned token rows as {@link
   * CLIPTextModel#forward(NDArray, Map)} takes them; gradients flow to these rows only.
   */
  public CLIPTextModelOutput forward(NDArray inputIds, Map<Integer, NDArray> injectedRows) {
    CLIPTextOutput text = textModel.forward(inputIds, injectedRows);
    return new CLIPTextModelOutput(
        textProjection.forward(text.pooledOutput()),
        text.lastHiddenState(),
        text.hiddenStates(),
        text.pooledOutput());
  }

  /** The position each sequence is pooled at (see {@link CLIPTextConfig#legacyPooling()}). */
  public int[] pooledIndices(NDArray inputIds) {
    return textModel.pooledIndices(inputIds);
  }

  /** The frozen token-embedding table [vocab_size, hidden_size]. */
  public NDArray tokenEmbedding() {
    return parameters.get(TOKEN_EMBEDDING);
  }

  public CLIPTextModelWithProjectionConfig config() {
    return config;
  }

  /** Every weight by checkpoint name. */
  public Map<String, NDArray> parameters() {
    return parameters;
  }
}
