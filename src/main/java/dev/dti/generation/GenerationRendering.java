package dev.dti.generation;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.blob.BlobStore;
import dev.dti.blob.BlobStore.BlobInfo;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import dev.dti.generation.GenerationPlanner.Planned;
import dev.dti.generation.GenerationRepository.GenerationRow;
import dev.dti.generation.GenerationRepository.ImageRow;
import dev.dti.generation.Renderer.RenderedImage;
import dev.dti.job.Job;
import dev.dti.job.JobKinds;
import dev.dti.job.JobService;
import dev.dti.security.Tenant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rendering and storing half: a synchronous request renders outside any transaction and then
 * stores its generation, rows and images in one; a larger one is stored with a queued job, whose
 * handler renders the images still missing.
 */
@Service
class GenerationRendering {

  private final GenerationProperties properties;
  private final PromptConcepts promptConcepts;
  private final GenerationRepository generations;
  private final GenerationThreads threads;
  private final ModelRegistry models;
  private final JobService jobs;
  private final BlobStore blobs;
  private final TransactionTemplate transaction;
  private final JsonMapper json;

  GenerationRendering(
      GenerationProperties properties,
      PromptConcepts promptConcepts,
      GenerationRepository generations,
      GenerationThreads threads,
      ModelRegistry models,
      JobService jobs,
      BlobStore blobs,
      TransactionTemplate transaction,
      JsonMapper json) {
    this.properties = properties;
    this.promptConcepts = promptConcepts;
    this.generations = generations;
    this.threads = threads;
    this.models = models;
    this.jobs = jobs;
    this.blobs = blobs;
    this.transaction = transaction;
    this.json = json;
  }

  /**
   * Renders every image now, on a generation thread and outside any transaction (no connection is
   * held while the model works), then stores the generation with its images in one transaction.
   */
  UUID renderNow(Tenant tenant, Planned planned) {
    GenerationPlan plan = planned.plan();
    Renderer renderer =
        new Renderer(
            planned.model(),
            models.properties().name(),
            plan,
            planned.conceptRows(),
            planned.interpolated());
    List<RenderedImage> images =
        threads.call(
            () -> IntStream.range(0, plan.numImages()).mapToObj(renderer::render).toList());
    UUID id = UUID.randomUUID();
    transaction.executeWithoutResult(
        status -> {
          generations.insert(
              id,
              tenant.id(),
              plan.kind(),
              json.writeValueAsString(plan),
              planned.model().id(),
              null,
              properties.retention());
          storeEmbeddings(id, planned.interpolated());
          images.forEach(image -> store(tenant.id(), id, image));
        });
    return id;
  }

  /** Stores the generation with a queued job that renders it; joins the caller's transaction. */
  @Transactional
  UUID enqueue(Tenant tenant, Planned planned) {
    GenerationPlan plan = planned.plan();
    UUID id = UUID.randomUUID();
    Job job =
        jobs.enqueue(
            tenant.id(),
            JobKinds.GENERATION,
            json.writeValueAsString(Map.of("generationId", id)),
            plan.numImages());
    generations.insert(
        id,
        tenant.id(),
        plan.kind(),
        json.writeValueAsString(plan),
        planned.model().id(),
        job.id(),
        properties.retention());
    storeEmbeddings(id, planned.interpolated());
    return id;
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
    Map<String, Map<String, float[][]>> conceptRows = new LinkedHashMap<>();
    for (PinnedConcept concept : plan.concepts()) {
      Embedding embedding =
          promptConcepts
              .pinned(tenantId, concept)
              .orElseThrow(
                  () ->
                      new MissingGenerationException(
                          "The concept " + concept.token() + " was deleted after the request."));
      conceptRows.put(concept.token(), Renderer.rowsPerEncoder(embedding));
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
}
