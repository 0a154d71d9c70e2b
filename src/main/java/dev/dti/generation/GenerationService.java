package dev.dti.generation;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;

import dev.dti.blob.BlobStore;
import dev.dti.blob.BlobStore.Blob;
import dev.dti.blob.BlobStore.BlobInfo;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.SphericalInterpolation;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.generation.GenerationPlan.InterpolationPlan;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import dev.dti.generation.GenerationPlan.Point;
import dev.dti.generation.GenerationRepository.GenerationRow;
import dev.dti.generation.GenerationRepository.ImageRow;
import dev.dti.generation.GenerationValidator.Sampling;
import dev.dti.generation.GenerationViews.ConceptUse;
import dev.dti.generation.GenerationViews.GenerationView;
import dev.dti.generation.GenerationViews.ImageView;
import dev.dti.generation.GenerationViews.PointView;
import dev.dti.generation.PromptConcepts.Resolved;
import dev.dti.generation.Renderer.RenderedImage;
import dev.dti.job.Job;
import dev.dti.job.JobKinds;
import dev.dti.job.JobService;
import dev.dti.job.WorkerProperties;
import dev.dti.job.api.JobView;
import dev.dti.model.ModelRegistry;
import dev.dti.model.ModelUnavailableException;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generations and interpolations: validation, concept resolution, the synchronous-or-job decision,
 * rendering, storage of results, and reading them back.
 */
@Service
public class GenerationService {

  private final GenerationProperties properties;
  private final GenerationValidator validator;
  private final PromptConcepts promptConcepts;
  private final GenerationRepository generations;
  private final GenerationThreads threads;
  private final ModelRegistry models;
  private final JobService jobs;
  private final BlobStore blobs;
  private final Idempotency idempotency;
  private final JsonMapper json;
  private final String device;

  GenerationService(
      GenerationProperties properties,
      GenerationValidator validator,
      PromptConcepts promptConcepts,
      GenerationRepository generations,
      GenerationThreads threads,
      ModelRegistry models,
      JobService jobs,
      BlobStore blobs,
      Idempotency idempotency,
      JsonMapper json,
      WorkerProperties workers) {
    this.properties = properties;
    this.validator = validator;
    this.promptConcepts = promptConcepts;
    this.generations = generations;
    this.threads = threads;
    this.models = models;
    this.jobs = jobs;
    this.blobs = blobs;
    this.idempotency = idempotency;
    this.json = json;
    this.device = workers.devices().getFirst();
  }

  // ---- creating ----

  ResponseEntity<String> generate(
      Tenant tenant, GenerationRequest request, String idempotencyKey, String fingerprint) {
    StableDiffusionModel model = model();
    ModelShape shape = ModelShape.of(model, properties.maxSizeFactor());
    List<FieldProblem> errors = GenerationValidator.errors();
    Sampling s = validator.generation(request, shape, errors);
    GenerationValidator.throwIfAny(errors);
    String negative = request.negativePrompt() == null ? "" : request.negativePrompt();
    List<Resolved> concepts =
        promptConcepts.resolve(
            tenant.id(),
            PromptConcepts.tokensOf(request.prompt(), negative),
            model.id(),
            shape.embeddingDim());
    int numImages = request.numImages() == null ? 1 : request.numImages();
    var plan =
        new GenerationPlan(
            GenerationPlan.GENERATION,
            request.prompt(),
            negative,
            s.steps(),
            s.guidanceScale(),
            s.seed(),
            s.width(),
            s.height(),
            numImages,
            s.scheduler(),
            s.eta(),
            concepts.stream().map(Resolved::pinned).toList(),
            null);
    return create(
        tenant, plan, model, shape, rowsOf(concepts), List.of(), idempotencyKey, fingerprint);
  }

  ResponseEntity<String> interpolate(
      Tenant tenant, InterpolationRequest request, String idempotencyKey, String fingerprint) {
    StableDiffusionModel model = model();
    ModelShape shape = ModelShape.of(model, properties.maxSizeFactor());
    List<FieldProblem> errors = GenerationValidator.errors();
    Sampling s = validator.interpolation(request, shape, errors);
    GenerationValidator.throwIfAny(errors);
    String template = request.promptTemplate();
    String prompt =
        template.replace("{concept}", Renderer.SLOT_TOKEN).replace("{}", Renderer.SLOT_TOKEN);
    String negative = request.negativePrompt() == null ? "" : request.negativePrompt();
    List<String> interpolatedTokens = request.concepts();
    List<String> promptTokens =
        PromptConcepts.tokensOf(prompt, negative).stream()
            .filter(token -> !interpolatedTokens.contains(token))
            .toList();
    List<String> all = new ArrayList<>(interpolatedTokens);
    all.addAll(promptTokens);
    List<Resolved> resolved =
        promptConcepts.resolve(tenant.id(), all, model.id(), shape.embeddingDim());
    List<Resolved> interpolated = resolved.subList(0, interpolatedTokens.size());
    List<Resolved> others = resolved.subList(interpolatedTokens.size(), resolved.size());
    int vectors = interpolated.getFirst().pinned().vectors();
    if (interpolated.stream().anyMatch(r -> r.pinned().vectors() != vectors)) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem(
                  "concepts",
                  "must have the same number of vectors to be interpolated row by row; they have "
                      + interpolated.stream()
                          .map(r -> r.pinned().token() + ": " + r.pinned().vectors())
                          .toList())));
    }
    List<Point> points = new ArrayList<>();
    if (request.t() != null) {
      for (int i = 0; i < request.t().size(); i++) {
        double t = request.t().get(i);
        points.add(new Point(i, t, List.of(1 - t, t)));
      }
    } else {
      for (int i = 0; i < request.weights().size(); i++) {
        points.add(new Point(i, null, List.copyOf(request.weights().get(i))));
      }
    }
    boolean fixedNorm = interpolated.stream().allMatch(r -> r.embedding().method().fixesNorm());
    OptionalDouble m =
        fixedNorm
            ? OptionalDouble.of(interpolated.getFirst().embedding().encoder(TEXT_ENCODER).normM())
            : OptionalDouble.empty();
    List<float[][]> rows =
        interpolated.stream().map(r -> r.embedding().rows(TEXT_ENCODER)).toList();
    List<float[][]> embeddings = new ArrayList<>();
    for (Point point : points) {
      double[] weights = point.weights().stream().mapToDouble(Double::doubleValue).toArray();
      try {
        embeddings.add(SphericalInterpolation.interpolate(rows, weights, m));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.invalidFields(
            List.of(new FieldProblem("points[" + point.index() + "]", e.getMessage())));
      }
    }
    var plan =
        new GenerationPlan(
            GenerationPlan.INTERPOLATION,
            prompt,
            negative,
            s.steps(),
            s.guidanceScale(),
            s.seed(),
            s.width(),
            s.height(),
            points.size(),
            s.scheduler(),
            s.eta(),
            others.stream().map(Resolved::pinned).toList(),
            new InterpolationPlan(
                template, interpolated.stream().map(Resolved::pinned).toList(), points, fixedNorm));
    return create(
        tenant, plan, model, shape, rowsOf(others), embeddings, idempotencyKey, fingerprint);
  }

  private ResponseEntity<String> create(
      Tenant tenant,
      GenerationPlan plan,
      StableDiffusionModel model,
      ModelShape shape,
      Map<String, float[][]> conceptRows,
      List<float[][]> interpolated,
      String idempotencyKey,
      String fingerprint) {
    boolean synchronous =
        plan.cost(shape.resolution(), shape.resolution()) <= properties.syncBudget();
    String base = plan.interpolation() == null ? "/v1/generations/" : "/v1/interpolations/";
    return idempotency.execute(
        tenant.id(),
        idempotencyKey,
        fingerprint,
        () -> {
          UUID id = UUID.randomUUID();
          String planJson = json.writeValueAsString(plan);
          if (synchronous) {
            List<RenderedImage> images;
            try (GenerationThreads.Permit permit = threads.acquire(tenant.id())) {
              Renderer renderer =
                  new Renderer(model, models.properties().name(), plan, conceptRows, interpolated);
              images =
                  threads.call(
                      () ->
                          IntStream.range(0, plan.numImages()).mapToObj(renderer::render).toList());
            }
            generations.insert(
                id, tenant.id(), plan.kind(), planJson, model.id(), null, properties.retention());
            storeEmbeddings(id, interpolated);
            images.forEach(image -> store(tenant.id(), id, image));
            return new Created(HttpStatus.OK, base + id, view(tenant.id(), id));
          }
          Job job =
              jobs.enqueue(
                  tenant.id(),
                  JobKinds.GENERATION,
                  json.writeValueAsString(Map.of("generationId", id)),
                  plan.numImages());
          generations.insert(
              id, tenant.id(), plan.kind(), planJson, model.id(), job.id(), properties.retention());
          storeEmbeddings(id, interpolated);
          return new Created(HttpStatus.ACCEPTED, base + id, view(tenant.id(), id));
        });
  }

  private void storeEmbeddings(UUID generationId, List<float[][]> interpolated) {
    for (int i = 0; i < interpolated.size(); i++) {
      generations.insertEmbedding(generationId, i, interpolated.get(i));
    }
  }

  void store(UUID tenantId, UUID generationId, RenderedImage image) {
    BlobInfo blob = blobs.put(tenantId, "image/png", image.png());
    generations.insertImage(
        UUID.randomUUID(),
        generationId,
        tenantId,
        image.index(),
        blob.id(),
        image.seed(),
        image.width(),
        image.height(),
        json.writeValueAsString(image.metadata()));
  }

  private static Map<String, float[][]> rowsOf(List<Resolved> concepts) {
    Map<String, float[][]> rows = new LinkedHashMap<>();
    concepts.forEach(r -> rows.put(r.pinned().token(), r.embedding().rows(TEXT_ENCODER)));
    return rows;
  }

  /** The model on this process's first device, loaded on a generation thread the first time. */
  private StableDiffusionModel model() {
    try {
      return threads.call(() -> models.get(device));
    } catch (ModelUnavailableException e) {
      throw ApiProblem.unavailable(e.getMessage());
    }
  }

  // ---- rendering a job ----

  /**
   * Renders the images of a stored generation that are still missing (a retried job resumes),
   * storing each as soon as it exists; {@code afterImage} gets the number done.
   */
  void renderMissing(
      UUID tenantId,
      UUID generationId,
      StableDiffusionModel model,
      Runnable checkCanceled,
      IntConsumer afterImage) {
    GenerationRow row =
        generations
            .find(tenantId, generationId)
            .orElseThrow(() -> new MissingGenerationException("The generation no longer exists."));
    if (!row.modelId().equals(model.id())) {
      throw new MissingGenerationException(
          "The base model changed since the request; send the request again.");
    }
    GenerationPlan plan = json.readValue(row.requestJson(), GenerationPlan.class);
    Map<String, float[][]> conceptRows = new LinkedHashMap<>();
    for (PinnedConcept concept : plan.concepts()) {
      Embedding embedding =
          promptConcepts
              .pinned(tenantId, concept)
              .orElseThrow(
                  () ->
                      new MissingGenerationException(
                          "The concept " + concept.token() + " was deleted after the request."));
      conceptRows.put(concept.token(), embedding.rows(TEXT_ENCODER));
    }
    var renderer =
        new Renderer(
            model,
            models.properties().name(),
            plan,
            conceptRows,
            generations.embeddings(generationId));
    var done = generations.images(generationId).stream().map(ImageRow::position).toList();
    int count = done.size();
    for (int i = 0; i < plan.numImages(); i++) {
      if (done.contains(i)) {
        continue;
      }
      checkCanceled.run();
      store(tenantId, generationId, renderer.render(i));
      afterImage.accept(++count);
    }
    generations.renewExpiry(generationId, properties.retention());
  }

  /** The job of a generation cannot succeed: its generation, concept or model is gone. */
  static class MissingGenerationException extends RuntimeException {
    MissingGenerationException(String message) {
      super(message);
    }
  }

  // ---- reading ----

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

  private GenerationView view(UUID tenantId, UUID id) {
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
    List<float[][]> embeddings = generations.embeddings(id);
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
    var file = new EmbeddingFile(token, embeddings.get(index), metadata);
    return new EmbeddingDownload(
        format.suggestedFilename(token), EmbeddingFiles.write(format, file));
  }
}
