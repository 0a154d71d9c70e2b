package dev.dti.concept;

/**
 * The training settings of a concept after defaults were applied, as stored in {@code
 * concepts.hyperparameters} and sent in the training job's payload.
 *
 * @param kappa null for {@code ti}
 * @param numVectors null: as many vectors as the initializer has tokens
 */
public record Hyperparameters(
    String method,
    String templates,
    int steps,
    double learningRate,
    Double kappa,
    int batchSize,
    long seed,
    Integer numVectors,
    boolean scaleLr) {}
