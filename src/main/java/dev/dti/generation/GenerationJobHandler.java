package dev.dti.generation;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.basemodel.ModelUnavailableException;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.generation.GenerationRendering.MissingGenerationException;
import dev.dti.job.JobContext;
import dev.dti.job.JobHandler;
import dev.dti.job.JobKinds;
import dev.dti.job.TerminalJobException;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs generation jobs (requests above the synchronous budget) on a worker's platform thread:
 * renders the images still missing one by one, stores each, reports progress per image, and stops
 * between images when canceled. A retried job resumes after the images already stored. Like the
 * training handler it exists only where a model folder is configured.
 */
@Component
class GenerationJobHandler implements JobHandler {

  private final GenerationRendering generations;
  private final ModelRegistry models;
  private final JsonMapper json;

  GenerationJobHandler(GenerationRendering generations, ModelRegistry models, JsonMapper json) {
    this.generations = generations;
    this.models = models;
    this.json = json;
  }

  @Override
  public String kind() {
    return JobKinds.GENERATION;
  }

  @Override
  public void run(JobContext context) {
    UUID generationId =
        UUID.fromString(json.readTree(context.payload()).path("generationId").asString());
    UUID tenantId = context.job().tenantId();
    StableDiffusionModel model;
    try {
      model = models.get(context.device());
    } catch (ModelUnavailableException e) {
      throw new TerminalJobException(e.getMessage(), e);
    }
    int total = context.job().totalSteps();
    try {
      generations.renderMissing(
          tenantId,
          generationId,
          model,
          context::throwIfCanceled,
          done -> context.reportProgress(done, total, null));
    } catch (MissingGenerationException e) {
      throw new TerminalJobException(e.getMessage(), e);
    }
    context.complete(
        json.writeValueAsString(
            Map.of("generationId", generationId, "images", "/v1/generations/" + generationId)));
  }
}
