package dev.dti.concept;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;

import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.embedding.file.EmbeddingFile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an embedding file must match in the base model: its text encoders (by diffusers' component
 * name, in model order) with their widths, and each encoder's norm m.
 */
final class TextEncoders {

  private TextEncoders() {}

  /** The model's text encoders and the width of their token rows, in model order. */
  static Map<String, Integer> widths(StableDiffusionModel model) {
    Map<String, Integer> widths = new LinkedHashMap<>();
    model.textEncoderNames().forEach(encoder -> widths.put(encoder, model.hiddenSize(encoder)));
    return widths;
  }

  /** DTI's m of one text encoder: the mean norm of its non-zero vocabulary rows. */
  static double normM(StableDiffusionModel model, String encoder) {
    return VocabularyNorms.meanNorm(model, encoder);
  }

  /**
   * Why the file's rows do not fit a model with these encoder widths, as a sentence for the
   * uploader; null when they fit.
   */
  static String misfit(EmbeddingFile file, Map<String, Integer> widths) {
    boolean modelXL = widths.size() == 2;
    if (file.isXL() == modelXL) {
      boolean fits =
          widths.entrySet().stream().allMatch(e -> file.dimension(e.getKey()) == e.getValue());
      if (fits) {
        return null;
      }
      if (!modelXL) {
        return "The embedding has "
            + file.dimension()
            + "-dimensional rows, but this model's text encoder uses "
            + widths.get(TEXT_ENCODER)
            + " (it was made for another model family).";
      }
      return "This file has rows "
          + fileWidths(file)
          + "; the model is SDXL and needs "
          + modelWidths(widths)
          + " (it was made for another model family).";
    }
    if (modelXL) {
      return "This file has rows "
          + file.dimension()
          + " wide for one text encoder (an SD 1.x/2.x embedding); the model is SDXL and needs "
          + modelWidths(widths)
          + ".";
    }
    return "This file is an SDXL embedding with rows "
        + fileWidths(file)
        + "; the model has one text encoder, "
        + widths.get(TEXT_ENCODER)
        + " wide (SD 1.x/2.x), and needs a single-encoder file.";
  }

  private static String fileWidths(EmbeddingFile file) {
    StringBuilder out = new StringBuilder();
    file.encoders()
        .forEach(
            (encoder, rows) ->
                out.append(out.isEmpty() ? "" : " and ")
                    .append(EmbeddingFile.fileName(encoder))
                    .append(' ')
                    .append(rows[0].length)
                    .append(" wide"));
    return out.toString();
  }

  private static String modelWidths(Map<String, Integer> widths) {
    StringBuilder out = new StringBuilder();
    widths.forEach(
        (encoder, width) ->
            out.append(out.isEmpty() ? "" : " and ")
                .append(EmbeddingFile.fileName(encoder))
                .append(' ')
                .append(width));
    return out.toString();
  }
}
