package dev.dti.concept;

import dev.dti.embedding.TrainingMethod;
import dev.dti.job.api.JobView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the concept endpoints answer. */
public final class ConceptViews {

  private ConceptViews() {}

  public record ConceptView(
      UUID id,
      String name,
      String token,
      String initializer,
      Hyperparameters hyperparameters,
      int imageCount,
      List<ImageView> images,
      JobView latestJob,
      Instant createdAt,
      Instant updatedAt) {}

  /** An image's metadata; {@code url} serves its bytes. Positions count from 0. */
  public record ImageView(
      int position,
      String filename,
      String contentType,
      int width,
      int height,
      long sizeBytes,
      String caption,
      String url) {}

  /** A concept in a list: without image metadata. */
  public record ConceptSummary(
      UUID id,
      String name,
      String token,
      String initializer,
      TrainingMethod method,
      TemplateSet templates,
      int imageCount,
      JobView latestJob,
      Instant createdAt) {}

  /** The answer to a create: the concept and its queued training job. */
  public record CreatedConcept(ConceptView concept, JobView job) {}
}
