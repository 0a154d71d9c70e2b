package dev.dti.concept;

import dev.dti.blob.BlobStore;
import dev.dti.blob.BlobStore.Blob;
import dev.dti.blob.BlobStore.BlobInfo;
import dev.dti.concept.ConceptRepository.ConceptRow;
import dev.dti.concept.ConceptRepository.ImageRow;
import dev.dti.concept.ConceptViews.ConceptSummary;
import dev.dti.concept.ConceptViews.ConceptView;
import dev.dti.concept.ConceptViews.CreatedConcept;
import dev.dti.concept.ConceptViews.ImageView;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.Job;
import dev.dti.job.JobKinds;
import dev.dti.job.JobService;
import dev.dti.job.api.JobView;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Concepts: their creation with images and a training job, lookup and deletion. */
@Service
public class ConceptService {

  private final ConceptRepository concepts;
  private final BlobStore blobs;
  private final JobService jobs;
  private final ConceptRequestValidator validator;
  private final JsonMapper json;
  private final ApplicationEventPublisher events;

  ConceptService(
      ConceptRepository concepts,
      BlobStore blobs,
      JobService jobs,
      ConceptRequestValidator validator,
      JsonMapper json,
      ApplicationEventPublisher events) {
    this.concepts = concepts;
    this.blobs = blobs;
    this.jobs = jobs;
    this.validator = validator;
    this.json = json;
    this.events = events;
  }

  /** Checks everything about a create request; throws an {@link ApiProblem} listing each error. */
  NewConcept validate(CreateConceptForm form) {
    return validator.validate(form);
  }

  /** Stores the concept, its images and its training job, all or nothing. */
  @Transactional
  CreatedConcept create(Tenant tenant, NewConcept request) {
    concepts
        .findIdByToken(tenant.id(), request.token())
        .ifPresent(
            existing -> {
              throw tokenTaken(request.token());
            });
    UUID conceptId = UUID.randomUUID();
    Hyperparameters hp = request.hyperparameters();
    try {
      concepts.insertConcept(
          conceptId,
          tenant.id(),
          request.name(),
          request.token(),
          request.initializer(),
          hp.method(),
          hp.templates(),
          json.writeValueAsString(hp));
    } catch (DuplicateKeyException raceWithAnotherRequest) {
      throw tokenTaken(request.token());
    }
    for (NewConcept.Image image : request.images()) {
      BlobInfo blob = blobs.put(tenant.id(), image.contentType(), image.bytes());
      concepts.insertImage(
          conceptId,
          image.position(),
          blob.id(),
          image.filename(),
          image.contentType(),
          image.width(),
          image.height(),
          image.caption());
    }
    Job job =
        jobs.enqueue(tenant.id(), JobKinds.TRAINING, TrainingJobPayload.of(conceptId), hp.steps());
    return new CreatedConcept(get(tenant, conceptId), JobView.of(job));
  }

  /**
   * Creates a concept that arrives with its embedding instead of images (an import): no images, no
   * job, {@code steps} 0. Joins the caller's transaction, which stores the embedding.
   */
  @Transactional
  public ConceptView createImported(
      Tenant tenant, String name, String token, TrainingMethod method, int vectors) {
    if (!TrainingDefaults.TOKEN.matcher(token).matches()) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem(
                  "token",
                  "must look like <my-concept>: lower-case letters, digits, '_' or '-' inside"
                      + " angle brackets, at most 40 characters")));
    }
    concepts
        .findIdByToken(tenant.id(), token)
        .ifPresent(
            existing -> {
              throw tokenTaken(token);
            });
    UUID conceptId = UUID.randomUUID();
    // Imported embeddings were not trained here: no steps, rates or seed of ours.
    Hyperparameters hp =
        Hyperparameters.builder(method, TemplateSet.OBJECT).numVectors(vectors).build();
    try {
      concepts.insertConcept(
          conceptId,
          tenant.id(),
          name,
          token,
          "imported",
          hp.method(),
          hp.templates(),
          json.writeValueAsString(hp));
    } catch (DuplicateKeyException raceWithAnotherRequest) {
      throw tokenTaken(token);
    }
    return get(tenant, conceptId);
  }

  /** The concept as a training job needs it; empty when the concept was deleted meanwhile. */
  public java.util.Optional<TrainingMaterial> trainingMaterial(UUID tenantId, UUID conceptId) {
    return concepts
        .find(tenantId, conceptId)
        .map(
            row -> {
              List<byte[]> images = new java.util.ArrayList<>();
              List<String> captions = new java.util.ArrayList<>();
              for (ImageRow image : concepts.images(tenantId, conceptId)) {
                images.add(
                    blobs
                        .get(tenantId, image.blobId())
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "image "
                                        + image.position()
                                        + " of concept "
                                        + conceptId
                                        + " is missing"))
                        .bytes());
                captions.add(image.caption());
              }
              return new TrainingMaterial(
                  conceptId,
                  tenantId,
                  row.token(),
                  row.initializer(),
                  json.readValue(row.hyperparametersJson(), Hyperparameters.class),
                  images,
                  captions);
            });
  }

  /** A concept found by its token: what generation needs to resolve a prompt's tokens. */
  public record TokenConcept(UUID id, String token, TrainingMethod method) {}

  /** The tenant's concept with this token ({@code <my-rabbit>}), if any. */
  public java.util.Optional<TokenConcept> findByToken(UUID tenantId, String token) {
    return concepts
        .findIdByToken(tenantId, token)
        .flatMap(id -> concepts.find(tenantId, id))
        .map(row -> new TokenConcept(row.id(), row.token(), row.method()));
  }

  public ConceptView get(Tenant tenant, UUID id) {
    ConceptRow row = concepts.find(tenant.id(), id).orElseThrow(() -> notFound(id));
    List<ImageView> images =
        concepts.images(tenant.id(), id).stream().map(image -> imageView(id, image)).toList();
    Job latest = latestJobs(tenant, List.of(id)).get(id);
    return new ConceptView(
        row.id(),
        row.name(),
        row.token(),
        row.initializer(),
        json.readValue(row.hyperparametersJson(), Hyperparameters.class),
        row.imageCount(),
        images,
        latest == null ? null : JobView.of(latest),
        row.createdAt(),
        row.updatedAt());
  }

  public PageResponse<ConceptSummary> page(Tenant tenant, PageRequest request) {
    List<ConceptRow> rows = concepts.page(tenant.id(), request.size(), request.offset());
    Map<UUID, Job> latest = latestJobs(tenant, rows.stream().map(ConceptRow::id).toList());
    List<ConceptSummary> items =
        rows.stream()
            .map(
                row ->
                    new ConceptSummary(
                        row.id(),
                        row.name(),
                        row.token(),
                        row.initializer(),
                        row.method(),
                        row.templates(),
                        row.imageCount(),
                        latest.containsKey(row.id()) ? JobView.of(latest.get(row.id())) : null,
                        row.createdAt()))
            .toList();
    return request.response(items, concepts.count(tenant.id()));
  }

  public Blob image(Tenant tenant, UUID conceptId, int position) {
    ImageRow image =
        concepts.images(tenant.id(), conceptId).stream()
            .filter(row -> row.position() == position)
            .findFirst()
            .orElseThrow(
                () -> {
                  concepts.find(tenant.id(), conceptId).orElseThrow(() -> notFound(conceptId));
                  return ApiProblem.notFound(
                      "Concept " + conceptId + " has no image at position " + position + ".");
                });
    return blobs
        .get(tenant.id(), image.blobId())
        .orElseThrow(() -> new IllegalStateException("Image blob " + image.blobId() + " missing"));
  }

  /**
   * Cancels the concept's unfinished jobs, then deletes it with its images, and publishes {@link
   * ConceptDeleted} in the same transaction.
   */
  @Transactional
  public void delete(Tenant tenant, UUID id) {
    ConceptRow concept = concepts.find(tenant.id(), id).orElseThrow(() -> notFound(id));
    jobs.cancelAndForget(tenant.id(), TrainingJobPayload.CONCEPT_ID, id.toString());
    List<UUID> blobIds = concepts.images(tenant.id(), id).stream().map(ImageRow::blobId).toList();
    concepts.delete(tenant.id(), id);
    blobs.delete(tenant.id(), blobIds);
    events.publishEvent(new ConceptDeleted(tenant.id(), id, concept.token(), concept.name()));
  }

  /** The newest training job of each of these concepts (concepts without one are absent). */
  private Map<UUID, Job> latestJobs(Tenant tenant, List<UUID> conceptIds) {
    Map<UUID, Job> latest = new LinkedHashMap<>();
    jobs.latestByPayload(
            tenant.id(),
            TrainingJobPayload.CONCEPT_ID,
            conceptIds.stream().map(UUID::toString).toList())
        .forEach((conceptId, job) -> latest.put(UUID.fromString(conceptId), job));
    return latest;
  }

  private static ImageView imageView(UUID conceptId, ImageRow image) {
    return new ImageView(
        image.position(),
        image.filename(),
        image.contentType(),
        image.width(),
        image.height(),
        image.sizeBytes(),
        image.caption(),
        "/v1/concepts/" + conceptId + "/images/" + image.position());
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("There is no concept with id " + id + ".");
  }

  private static ApiProblem tokenTaken(String token) {
    return ApiProblem.conflict(
        "A concept with the token " + token + " already exists; choose another token.",
        new FieldProblem("token", "is already used by another concept"));
  }
}
