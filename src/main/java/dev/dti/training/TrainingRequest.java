package dev.dti.training;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Everything one training run needs besides the model.
 *
 * @param numVectors null: as many vectors as the initializer has tokens
 * @param captions one per image, or null to use {@code templates}
 * @param weightDecay AdamW's decoupled weight decay (TI only)
 */
public record TrainingRequest(
    TrainingMethod method,
    String token,
    String initializer,
    Integer numVectors,
    int steps,
    double learningRate,
    boolean scaleLr,
    double kappa,
    double weightDecay,
    int batchSize,
    long seed,
    PromptTemplates templates,
    List<String> captions,
    List<BufferedImage> images) {

  /** The learning rate the optimizer uses: {@code learningRate × batchSize} with scaleLr. */
  public double effectiveLearningRate() {
    return scaleLr ? learningRate * batchSize : learningRate;
  }

  /**
   * The caption of one training example: the image's own caption or the {@code templateIndex}-th of
   * {@code templateList} ({@code templates} as the model resolves them, {@link
   * PromptTemplates#forModel}).
   */
  public String caption(int imageIndex, int templateIndex, List<String> templateList) {
    if (captions != null
        && captions.get(imageIndex) != null
        && !captions.get(imageIndex).isBlank()) {
      String caption = captions.get(imageIndex);
      return caption.contains(token) ? caption : token + " " + caption;
    }
    return PromptTemplates.caption(templateList, templateIndex, token);
  }
}
