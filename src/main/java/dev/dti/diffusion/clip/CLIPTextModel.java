package dev.dti.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.CheckpointParameters;
import dev.dti.diffusion.nn.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The CLIP text encoder of Stable Diffusion, mirroring transformers' CLIPTextModel; parameter names
 * are the checkpoint's ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, …). All
 * weights are frozen: nothing here asks for their gradient.
 */
public final class CLIPTextModel {

  /** Files tried in a diffusers {@code text_encoder} folder, in order. */
  static final List<String> WEIGHT_FILES = List.of("model.safetensors", "model.fp16.safetensors");

  /** The checkpoint name of the token-embedding table. */
  public static final String TOKEN_EMBEDDING = "text_model.embeddings.token_embedding.weight";

  /** A buffer older transformers versions saved with the weights; it is always 0..max-1. */
  private static final String POSITION_IDS_BUFFER = "text_model.embeddings.position_ids";

  private final CLIPTextConfig config;
  private final CLIPTextTransformer textModel;
  private final Map<String, NDArray> parameters;

  public CLIPTextModel(Parameters p, CLIPTextConfig config) {
    this.config = config;
    this.textModel = new CLIPTextTransformer(p.sub("text_model"), config);
    this.parameters = p.all();
  }

  /**
   * Loads a diffusers {@code text_encoder} folder: config.json plus model.safetensors (or
   * model.fp16.safetensors; half-precision weights are widened to float32) into {@code manager}.
   */
  public static CLIPTextModel fromPretrained(Path folder, NDManager manager) throws IOException {
    CLIPTextConfig config = CLIPTextConfig.read(folder.resolve("config.json"));
    return load(folder, manager, parameters -> new CLIPTextModel(parameters, config));
  }

  /**
   * Builds a model from the weight file of a diffusers text encoder folder and refuses tensors the
   * model did not ask for (except the position_ids buffer).
   */
  static <T> T load(Path folder, NDManager manager, Function<Parameters, T> build)
      throws IOException {
    Path weights =
        WEIGHT_FILES.stream()
            .map(folder::resolve)
            .filter(Files::isRegularFile)
            .findFirst()
            .orElseThrow(() -> new IOException("No " + WEIGHT_FILES + " in " + folder));
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      CheckpointParameters parameters = new CheckpointParameters(file, manager);
      T model = build.apply(parameters);
      Set<String> unused = parameters.unused();
      unused.remove(POSITION_IDS_BUFFER);
      if (!unused.isEmpty()) {
        throw new IllegalArgumentException(
            weights + " has tensors this config does not use (wrong config.json?): " + unused);
      }
      return model;
    }
  }

  public CLIPTextOutput forward(NDArray inputIds) {
    return forward(inputIds, Map.of());
  }

  /**
   * Encodes inputIds [B, T] (int64). {@code injectedRows} gives the token-embedding row [hidden] to
   * use for a token id instead of the table's: placeholder ids at or above vocab_size must have
   * one, ids inside the vocabulary may be overridden. Gradients flow to these rows only.
   */
  public CLIPTextOutput forward(NDArray inputIds, Map<Integer, NDArray> injectedRows) {
    return textModel.forward(inputIds, injectedRows);
  }

  /** The position each sequence is pooled at (see {@link CLIPTextConfig#legacyPooling()}). */
  public int[] pooledIndices(NDArray inputIds) {
    return textModel.pooledIndices(inputIds);
  }

  /** text_model.final_layer_norm, for the "penultimate layer + final LN" (clip skip) recipe. */
  public NDArray finalLayerNorm(NDArray hidden) {
    return textModel.finalLayerNorm(hidden);
  }

  /** The frozen token-embedding table [vocab_size, hidden_size]. */
  public NDArray tokenEmbedding() {
    return parameters.get(TOKEN_EMBEDDING);
  }

  public CLIPTextConfig config() {
    return config;
  }

  /** Every weight by checkpoint name. */
  public Map<String, NDArray> parameters() {
    return parameters;
  }
}
