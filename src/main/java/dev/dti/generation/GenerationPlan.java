package dev.dti.generation;

import dev.dti.embedding.TrainingMethod;
import java.util.List;
import java.util.UUID;

/**
 * A request after validation: defaults applied, the seed resolved and each concept pinned to the
 * embedding step it resolved to, so that an asynchronous job renders exactly what the request
 * answered with. Stored as {@code generations.request}.
 *
 * @param prompt the prompt; for an interpolation the template with its slot replaced by {@link
 *     Renderer#SLOT_TOKEN}
 * @param negativePrompt the negative prompt; null when the request had none and the model
 *     conditions on zeros then (SDXL), else {@code ""} for none
 * @param numImages images to render: {@code numImages} of a generation, one per point of an
 *     interpolation
 * @param concepts the concept tokens of the prompt and negative prompt (not the interpolated ones)
 * @param interpolation null for a plain generation
 */
public record GenerationPlan(
    String kind,
    String prompt,
    String negativePrompt,
    int steps,
    double guidanceScale,
    long seed,
    int width,
    int height,
    int numImages,
    String scheduler,
    double eta,
    List<PinnedConcept> concepts,
    InterpolationPlan interpolation) {

  public static final String GENERATION = "generation";
  public static final String INTERPOLATION = "interpolation";

  /** A concept as the request resolved it: its token and the embedding row used. */
  public record PinnedConcept(
      UUID conceptId, String token, TrainingMethod method, int step, int vectors) {}

  /**
   * @param promptTemplate the template as sent, with its {@code {}} or {@code {concept}} slot
   * @param concepts the interpolated concepts, in request order
   * @param points one per image; {@code weights} always holds one weight per concept (for a t:
   *     {@code [1 − t, t]})
   */
  public record InterpolationPlan(
      String promptTemplate, List<PinnedConcept> concepts, List<Point> points, boolean fixedNorm) {}

  /** One interpolation point: {@code t} (two concepts) or {@code weights} as sent. */
  public record Point(int index, Double t, List<Double> weights) {}

  /** The seed of image {@code index}: seed + index for generations, the same seed for every t. */
  public long seedOf(int index) {
    return interpolation == null ? seed + index : seed;
  }

  /** UNet evaluations at the model's resolution: the synchronous-or-job criterion. */
  public double cost(int modelWidth, int modelHeight) {
    return (double) steps * numImages * width * height / ((double) modelWidth * modelHeight);
  }
}
