package dev.dti.concept;

import dev.dti.embedding.TrainingMethod;

/**
 * The training settings of a concept after defaults were applied, as stored in {@code
 * concepts.hyperparameters} and sent in the training job's payload. Built with {@link #builder};
 * the defaults a request leaves out are {@link TrainingDefaults}' and are applied by {@link
 * ConceptRequestValidator}.
 *
 * @param kappa null for {@code ti}
 * @param numVectors null: as many vectors as the initializer has tokens
 */
public record Hyperparameters(
    TrainingMethod method,
    TemplateSet templates,
    int steps,
    double learningRate,
    Double kappa,
    int batchSize,
    long seed,
    Integer numVectors,
    boolean scaleLr) {

  /** A builder whose unset numbers are 0, kappa and numVectors null, scaleLr false. */
  public static Builder builder(TrainingMethod method, TemplateSet templates) {
    return new Builder(method, templates);
  }

  /** Named construction of {@link Hyperparameters}. */
  public static final class Builder {
    private final TrainingMethod method;
    private final TemplateSet templates;
    private int steps;
    private double learningRate;
    private Double kappa;
    private int batchSize;
    private long seed;
    private Integer numVectors;
    private boolean scaleLr;

    private Builder(TrainingMethod method, TemplateSet templates) {
      this.method = method;
      this.templates = templates;
    }

    public Builder steps(int steps) {
      this.steps = steps;
      return this;
    }

    public Builder learningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder kappa(Double kappa) {
      this.kappa = kappa;
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

    public Builder numVectors(Integer numVectors) {
      this.numVectors = numVectors;
      return this;
    }

    public Builder scaleLr(boolean scaleLr) {
      this.scaleLr = scaleLr;
      return this;
    }

    public Hyperparameters build() {
      return new Hyperparameters(
          method, templates, steps, learningRate, kappa, batchSize, seed, numVectors, scaleLr);
    }
  }
}
