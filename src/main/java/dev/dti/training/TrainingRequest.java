package dev.dti.training;

import dev.dti.concept.TemplateSet;
import dev.dti.concept.TrainingDefaults;
import dev.dti.embedding.TrainingMethod;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Everything one training run needs besides the model. Built with {@link #builder}, whose defaults
 * are {@link TrainingDefaults}'.
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
    TemplateSet templates,
    List<String> captions,
    List<BufferedImage> images) {

  /** The learning rate the optimizer uses: {@code learningRate × batchSize} with scaleLr. */
  public double effectiveLearningRate() {
    return scaleLr ? learningRate * batchSize : learningRate;
  }

  /**
   * The caption of one training example: the image's own caption or the {@code templateIndex}-th of
   * {@code templateList} ({@code templates} as the model resolves them, {@link
   * TemplateSet#forModel}).
   */
  public String caption(int imageIndex, int templateIndex, List<String> templateList) {
    if (captions != null
        && captions.get(imageIndex) != null
        && !captions.get(imageIndex).isBlank()) {
      String caption = captions.get(imageIndex);
      return caption.contains(token) ? caption : token + " " + caption;
    }
    return TemplateSet.caption(templateList, templateIndex, token);
  }

  /**
   * A builder for training {@code token} from {@code initializer} on {@code images} with {@code
   * method}: {@link TrainingDefaults}' steps, learning rate (per method), κ, weight decay and batch
   * size; seed 0, the object templates, no captions, scaleLr off, one vector per initializer token.
   */
  public static Builder builder(
      TrainingMethod method, String token, String initializer, List<BufferedImage> images) {
    return new Builder(method, token, initializer, images);
  }

  /** Named construction of a {@link TrainingRequest}. */
  public static final class Builder {
    private final TrainingMethod method;
    private final String token;
    private final String initializer;
    private final List<BufferedImage> images;
    private Integer numVectors;
    private int steps = TrainingDefaults.DEFAULT_STEPS;
    private double learningRate;
    private boolean scaleLr;
    private double kappa = TrainingDefaults.DEFAULT_KAPPA;
    private double weightDecay = TrainingDefaults.DEFAULT_TI_WEIGHT_DECAY;
    private int batchSize = TrainingDefaults.DEFAULT_BATCH_SIZE;
    private long seed;
    private TemplateSet templates = TemplateSet.OBJECT;
    private List<String> captions;

    private Builder(
        TrainingMethod method, String token, String initializer, List<BufferedImage> images) {
      this.method = method;
      this.token = token;
      this.initializer = initializer;
      this.images = images;
      this.learningRate = TrainingDefaults.defaultLearningRate(method);
    }

    public Builder numVectors(Integer numVectors) {
      this.numVectors = numVectors;
      return this;
    }

    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder scaleLr(boolean scaleLr) {
      this.scaleLr = scaleLr;
      return this;
    }

    public Builder kappa(double kappa) {
      this.kappa = kappa;
      return this;
    }

    public Builder weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder templates(TemplateSet templates) {
      this.templates = templates;
      return this;
    }

    /** One caption per image (null entries: use the templates), or null for none. */
    public Builder captions(List<String> captions) {
      this.captions = captions;
      return this;
    }

    public TrainingRequest build() {
      return new TrainingRequest(
          method,
          token,
          initializer,
          numVectors,
          steps,
          learningRate,
          scaleLr,
          kappa,
          weightDecay,
          batchSize,
          seed,
          templates,
          captions,
          images);
    }
  }
}
