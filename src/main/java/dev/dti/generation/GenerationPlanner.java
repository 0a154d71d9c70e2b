package dev.dti.generation;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.basemodel.ModelUnavailableException;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.SphericalInterpolation;
import dev.dti.generation.GenerationPlan.InterpolationPlan;
import dev.dti.generation.GenerationPlan.Point;
import dev.dti.generation.GenerationValidator.Sampling;
import dev.dti.generation.PromptConcepts.Resolved;
import dev.dti.job.WorkerProperties;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.springframework.stereotype.Service;

/**
 * The planning half of a generation or interpolation request: validation against the model, concept
 * resolution, the interpolated rows, and whether the request is small enough to render while the
 * client waits. Reads only.
 */
@Service
class GenerationPlanner {

  /**
   * What a request will render: the plan to store, the model, the learned rows of the prompt's
   * concepts by token and text encoder, the interpolated rows per point (empty for a generation),
   * and whether it renders synchronously ({@code dti.generation.sync-budget}).
   */
  record Planned(
      GenerationPlan plan,
      StableDiffusionModel model,
      Map<String, Map<String, float[][]>> conceptRows,
      List<float[][]> interpolated,
      boolean synchronous) {}

  private final GenerationProperties properties;
  private final GenerationValidator validator;
  private final PromptConcepts promptConcepts;
  private final GenerationThreads threads;
  private final ModelRegistry models;
  private final String device;

  GenerationPlanner(
      GenerationProperties properties,
      GenerationValidator validator,
      PromptConcepts promptConcepts,
      GenerationThreads threads,
      ModelRegistry models,
      WorkerProperties workers) {
    this.properties = properties;
    this.validator = validator;
    this.promptConcepts = promptConcepts;
    this.threads = threads;
    this.models = models;
    this.device = workers.devices().getFirst();
  }

  /**
   * The negative prompt as the plan keeps it: absent stays null for SDXL, whose pipeline conditions
   * on zeros then (force_zeros_for_empty_prompt) but encodes an explicit {@code ""}; for SD 1.x/2.x
   * absent and {@code ""} are the same and the plan keeps {@code ""}.
   */
  static String negativePrompt(String requested, StableDiffusionModel model) {
    if (requested != null) {
      return requested;
    }
    return model.isXL() && model.forceZerosForEmptyPrompt() ? null : "";
  }

  /** Validates a generation request and resolves its concepts; nothing is stored. */
  Planned generation(Tenant tenant, GenerationRequest request) {
    StableDiffusionModel model = model();
    ModelShape shape = ModelShape.of(model, properties.maxSizeFactor());
    List<FieldProblem> errors = GenerationValidator.errors();
    Sampling s = validator.generation(request, shape, errors);
    GenerationValidator.throwIfAny(errors);
    String negative = negativePrompt(request.negativePrompt(), model);
    List<Resolved> concepts =
        promptConcepts.resolve(
            tenant.id(),
            PromptConcepts.tokensOf(request.prompt(), negative == null ? "" : negative),
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
    return planned(plan, model, shape, rowsOf(concepts), List.of());
  }

  /**
   * Validates an interpolation request, resolves its concepts and interpolates their rows on the
   * sphere for every point; nothing is stored.
   */
  Planned interpolation(Tenant tenant, InterpolationRequest request) {
    StableDiffusionModel model = model();
    ModelShape shape = ModelShape.of(model, properties.maxSizeFactor());
    List<FieldProblem> errors = GenerationValidator.errors();
    Sampling s = validator.interpolation(request, shape, errors);
    if (model.isXL()) {
      // slerp per encoder, each with its own m, is not implemented yet; refuse before rendering
      errors.add(
          new FieldProblem(
              "concepts",
              "interpolation is not supported on an SDXL model (two text encoders) yet"));
    }
    GenerationValidator.throwIfAny(errors);
    String template = request.promptTemplate();
    String prompt =
        template.replace("{concept}", Renderer.SLOT_TOKEN).replace("{}", Renderer.SLOT_TOKEN);
    String negative = negativePrompt(request.negativePrompt(), model);
    List<String> interpolatedTokens = request.concepts();
    List<String> promptTokens =
        PromptConcepts.tokensOf(prompt, negative == null ? "" : negative).stream()
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
    return planned(plan, model, shape, rowsOf(others), embeddings);
  }

  private Planned planned(
      GenerationPlan plan,
      StableDiffusionModel model,
      ModelShape shape,
      Map<String, Map<String, float[][]>> conceptRows,
      List<float[][]> interpolated) {
    boolean synchronous =
        plan.cost(shape.resolution(), shape.resolution()) <= properties.syncBudget();
    return new Planned(plan, model, conceptRows, interpolated, synchronous);
  }

  private static Map<String, Map<String, float[][]>> rowsOf(List<Resolved> concepts) {
    Map<String, Map<String, float[][]>> rows = new LinkedHashMap<>();
    concepts.forEach(r -> rows.put(r.pinned().token(), Renderer.rowsPerEncoder(r.embedding())));
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
}
