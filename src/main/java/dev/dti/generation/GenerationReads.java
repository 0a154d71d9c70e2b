package dev.dti.generation;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.blob.BlobStore;
import dev.dti.blob.BlobStore.Blob;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.generation.GenerationPlan.InterpolationPlan;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import dev.dti.generation.GenerationPlan.Point;
import dev.dti.generation.GenerationRepository.GenerationRow;
import dev.dti.generation.GenerationRepository.ImageRow;
import dev.dti.generation.GenerationViews.ConceptUse;
import dev.dti.generation.GenerationViews.GenerationView;
import dev.dti.generation.GenerationViews.ImageView;
import dev.dti.generation.GenerationViews.PointView;
import dev.dti.job.JobService;
import dev.dti.job.api.JobView;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read side: generations and interpolations as the API shows them, their images, and the
 * interpolated embeddings as files.
 */
@Service
public class GenerationReads {

  private final GenerationRepository generations;
  private final ModelRegistry models;
  private final JobService jobs;
  private final BlobStore blobs;
  private final JsonMapper json;

  GenerationReads(
      GenerationRepository generations,
      ModelRegistry models,
      JobService jobs,
      BlobStore blobs,
      JsonMapper json) {
    this.generations = generations;
    this.models = models;
    this.jobs = jobs;
    this.blobs = blobs;
    this.json = json;
  }

  GenerationView get(Tenant tenant, UUID id, String kind) {
    GenerationRow row =
        generations
            .find(tenant.id(), id)
            .filter(r -> r.kind().equals(kind))
            .orElseThrow(() -> ApiProblem.notFound("There is no " + kind + " with id " + id + "."));
    return view(row);
  }

  /** The generation or interpolation as the API shows it; empty when there is none (expired). */
  public java.util.Optional<GenerationView> find(UUID tenantId, UUID id) {
    return generations.find(tenantId, id).map(this::view);
  }

  /** The view of a stored generation or interpolation of the tenant. */
  GenerationView view(UUID tenantId, UUID id) {
    return view(generations.find(tenantId, id).orElseThrow());
  }

  private GenerationView view(GenerationRow row) {
    GenerationPlan plan = json.readValue(row.requestJson(), GenerationPlan.class);
    JobView job =
        row.jobId() == null
            ? null
            : jobs.find(row.tenantId(), row.jobId()).map(JobView::of).orElse(null);
    List<ImageView> images =
        generations.images(row.id()).stream()
            .map(
                image ->
                    new ImageView(
                        image.id(),
                        image.position(),
                        "/v1/images/" + image.id(),
                        "image/png",
                        image.width(),
                        image.height(),
                        image.seed(),
                        json.readValue(
                            image.metadataJson(), new TypeReference<Map<String, String>>() {})))
            .toList();
    InterpolationPlan interpolation = plan.interpolation();
    List<PointView> points = null;
    if (interpolation != null) {
      points =
          interpolation.points().stream()
              .map(
                  point ->
                      new PointView(
                          point.index(),
                          point.t(),
                          point.weights(),
                          images.stream()
                              .filter(image -> image.index() == point.index())
                              .map(ImageView::id)
                              .findFirst()
                              .orElse(null),
                          embeddingLinks(row.id(), point.index())))
              .toList();
    }
    return new GenerationView(
        row.id(),
        row.kind(),
        job == null ? "succeeded" : job.state(),
        interpolation == null ? plan.prompt() : null,
        interpolation == null ? null : interpolation.promptTemplate(),
        plan.negativePrompt(),
        plan.steps(),
        plan.guidanceScale(),
        plan.seed(),
        plan.width(),
        plan.height(),
        plan.numImages(),
        plan.scheduler(),
        plan.eta(),
        uses(plan.concepts()),
        interpolation == null ? null : uses(interpolation.concepts()),
        interpolation == null
            ? null
            : interpolation.fixedNorm()
                ? "m (" + TrainingMethod.DTI.wireName() + ")"
                : "linear (" + TrainingMethod.TI.wireName() + ")",
        points,
        row.modelId(),
        models.properties().name(),
        job,
        images,
        row.createdAt(),
        row.expiresAt());
  }

  private static Map<String, String> embeddingLinks(UUID id, int index) {
    Map<String, String> links = new LinkedHashMap<>();
    for (EmbeddingFormat format : EmbeddingFormat.values()) {
      links.put(
          format.wireName(),
          "/v1/interpolations/" + id + "/embeddings/" + index + "?format=" + format.wireName());
    }
    return links;
  }

  private static List<ConceptUse> uses(List<PinnedConcept> concepts) {
    return concepts.stream()
        .map(c -> new ConceptUse(c.conceptId(), c.token(), c.method(), c.step(), c.vectors()))
        .toList();
  }

  Blob image(Tenant tenant, UUID imageId) {
    ImageRow image =
        generations
            .image(tenant.id(), imageId)
            .orElseThrow(() -> ApiProblem.notFound("There is no image with id " + imageId + "."));
    return blobs
        .get(tenant.id(), image.blobId())
        .orElseThrow(() -> ApiProblem.notFound("There is no image with id " + imageId + "."));
  }

  /** The interpolated embedding of one point as a file, and the name to offer. */
  record EmbeddingDownload(String filename, byte[] bytes) {}

  EmbeddingDownload embedding(Tenant tenant, UUID id, int index, String formatName) {
    EmbeddingFormat format;
    try {
      format = EmbeddingFormat.fromWireName(formatName == null ? "diffusers" : formatName);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.invalidFields(List.of(new FieldProblem("format", e.getMessage())));
    }
    GenerationRow row =
        generations
            .find(tenant.id(), id)
            .filter(r -> r.kind().equals(GenerationPlan.INTERPOLATION))
            .orElseThrow(
                () -> ApiProblem.notFound("There is no interpolation with id " + id + "."));
    List<Map<String, float[][]>> embeddings = generations.embeddings(id);
    if (index < 0 || index >= embeddings.size()) {
      throw ApiProblem.notFound(
          "Interpolation "
              + id
              + " has no point "
              + index
              + " (it has "
              + embeddings.size()
              + ").");
    }
    GenerationPlan plan = json.readValue(row.requestJson(), GenerationPlan.class);
    InterpolationPlan interpolation = plan.interpolation();
    Point point = interpolation.points().get(index);
    String token =
        "<"
            + String.join(
                "-",
                interpolation.concepts().stream()
                    .map(c -> c.token().substring(1, c.token().length() - 1))
                    .toList())
            + "-"
            + index
            + ">";
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put(
        "dti.method",
        (interpolation.fixedNorm() ? TrainingMethod.DTI : TrainingMethod.TI).wireName());
    metadata.put("dti.base_model", row.modelId());
    metadata.put("dti.interpolation.id", id.toString());
    metadata.put(
        "dti.interpolation.concepts",
        String.join(",", interpolation.concepts().stream().map(PinnedConcept::token).toList()));
    if (point.t() != null) {
      metadata.put("dti.interpolation.t", Renderer.number(point.t()));
    }
    metadata.put(
        "dti.interpolation.weights",
        String.join(",", point.weights().stream().map(Renderer::number).toList()));
    Map<String, float[][]> rows = embeddings.get(index);
    boolean xl = rows.containsKey(Embedding.TEXT_ENCODER_2);
    var file =
        xl
            ? EmbeddingFile.xl(
                token,
                rows.get(Embedding.TEXT_ENCODER),
                rows.get(Embedding.TEXT_ENCODER_2),
                metadata)
            : new EmbeddingFile(token, rows.get(Embedding.TEXT_ENCODER), metadata);
    return new EmbeddingDownload(
        format.suggestedFilename(token, null, xl), EmbeddingFiles.write(format, file));
  }
}
