package dev.dti.generation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.api.JobView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the generation API answers. */
public final class GenerationViews {

  private GenerationViews() {}

  /**
   * A generation or interpolation. {@code state} is {@code succeeded} for a synchronous one, else
   * its job's state; {@code images} fill in as the job renders them.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record GenerationView(
      UUID id,
      String kind,
      String state,
      String prompt,
      String promptTemplate,
      String negativePrompt,
      int steps,
      double guidanceScale,
      long seed,
      int width,
      int height,
      int numImages,
      String scheduler,
      double eta,
      List<ConceptUse> concepts,
      List<ConceptUse> interpolatedConcepts,
      String interpolationMagnitude,
      List<PointView> points,
      String modelId,
      String modelName,
      JobView job,
      List<ImageView> images,
      Instant createdAt,
      Instant expiresAt) {}

  /** A concept used by a request, with the embedding step it resolved to. */
  public record ConceptUse(UUID id, String token, TrainingMethod method, int step, int vectors) {}

  /** One interpolation point: its t or weights, its image (once rendered) and embedding files. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PointView(
      int index, Double t, List<Double> weights, UUID imageId, Map<String, String> embeddings) {}

  /** A generated PNG: {@code url} serves it; {@code metadata} equals its PNG text chunks. */
  public record ImageView(
      UUID id,
      int index,
      String url,
      String contentType,
      int width,
      int height,
      long seed,
      Map<String, String> metadata) {}
}
