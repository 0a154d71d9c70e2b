package dev.dti.embedding;

import ai.djl.ndarray.NDArray;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** DTI's magnitude m: the mean L2 norm of the non-zero token-embedding rows, once per model. */
public final class VocabularyNorms {

  public static final String TOKEN_EMBEDDING = "text_model.embeddings.token_embedding.weight";

  private static final Map<String, Double> CACHE = new ConcurrentHashMap<>();

  private VocabularyNorms() {}

  public static double meanNorm(StableDiffusionModel model) {
    return CACHE.computeIfAbsent(model.id(), id -> compute(tokenEmbedding(model)));
  }

  public static NDArray tokenEmbedding(StableDiffusionModel model) {
    NDArray table = model.textEncoder().parameters().get(TOKEN_EMBEDDING);
    if (table == null) {
      throw new IllegalStateException("text encoder has no " + TOKEN_EMBEDDING);
    }
    return table;
  }

  static double compute(NDArray table) {
    try (NDArray norms = table.square().sum(new int[] {1}).sqrt();
        NDArray nonZero = norms.gt(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)) {
      double count = nonZero.sum().getFloat();
      if (count == 0) {
        throw new IllegalStateException("the token embedding table has no non-zero row");
      }
      return norms.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).sum().getDouble() / count;
    }
  }

  /** Row {@code id} of the token embedding table. */
  public static float[] row(StableDiffusionModel model, int id) {
    try (NDArray row = tokenEmbedding(model).get(id)) {
      return row.toFloatArray();
    }
  }
}
