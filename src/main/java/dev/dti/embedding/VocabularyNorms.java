package dev.dti.embedding;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * DTI's magnitude m: the mean L2 norm of the non-zero token-embedding rows, once per model and text
 * encoder (SDXL has one m per encoder).
 */
public final class VocabularyNorms {

  public static final String TOKEN_EMBEDDING = "text_model.embeddings.token_embedding.weight";

  private static final Map<String, Double> CACHE = new ConcurrentHashMap<>();

  private VocabularyNorms() {}

  /** m of the model's first text encoder. */
  public static double meanNorm(StableDiffusionModel model) {
    return meanNorm(model, model.textEncoderNames().getFirst());
  }

  /** m of the text encoder named {@code encoder} ({@code text_encoder}, {@code text_encoder_2}). */
  public static double meanNorm(StableDiffusionModel model, String encoder) {
    return CACHE.computeIfAbsent(
        model.id() + "/" + encoder, key -> meanNorm(model.tokenEmbedding(encoder)));
  }

  /** The first text encoder's token table. */
  public static NDArray tokenEmbedding(StableDiffusionModel model) {
    return model.tokenEmbedding(model.textEncoderNames().getFirst());
  }

  /**
   * The mean L2 norm of the non-zero rows of {@code table} [vocab, hidden], computed in float64 (as
   * the DTI authors' reference does), not cached.
   */
  public static double meanNorm(NDArray table) {
    try (NDArray wide = table.toType(DataType.FLOAT64, false);
        NDArray norms = wide.square().sum(new int[] {1}).sqrt();
        NDArray nonZero = norms.gt(0.0).toType(DataType.FLOAT64, false)) {
      double count = nonZero.sum().getDouble();
      if (count == 0) {
        throw new IllegalStateException("the token embedding table has no non-zero row");
      }
      return norms.sum().getDouble() / count;
    }
  }

  /** Row {@code id} of the first text encoder's token embedding table. */
  public static float[] row(StableDiffusionModel model, int id) {
    return row(model, model.textEncoderNames().getFirst(), id);
  }

  /** Row {@code id} of the token embedding table of the text encoder named {@code encoder}. */
  public static float[] row(StableDiffusionModel model, String encoder, int id) {
    try (NDArray row = model.tokenEmbedding(encoder).get(id)) {
      return row.toFloatArray();
    }
  }
}
