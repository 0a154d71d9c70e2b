package dev.dti.generation;

import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;

/** Checks the fields of generation and interpolation requests and applies their defaults. */
@Component
class GenerationValidator {

  static final long SEED_LIMIT = 1L << 53;
  static final int MAX_PROMPT_LENGTH = 1000;
  static final int MAX_CONCEPTS = 8;

  /** The sampling fields after validation. */
  record Sampling(
      int steps,
      double guidanceScale,
      long seed,
      int width,
      int height,
      String scheduler,
      double eta) {}

  private final GenerationProperties properties;

  GenerationValidator(GenerationProperties properties) {
    this.properties = properties;
  }

  Sampling generation(GenerationRequest request, ModelShape shape, List<FieldProblem> errors) {
    prompt("prompt", request.prompt(), true, errors);
    prompt("negativePrompt", request.negativePrompt(), false, errors);
    Integer numImages = request.numImages();
    if (numImages != null && (numImages < 1 || numImages > properties.maxImages())) {
      errors.add(new FieldProblem("numImages", "must be between 1 and " + properties.maxImages()));
    }
    return sampling(
        request.steps(),
        request.guidanceScale(),
        request.seed(),
        request.width(),
        request.height(),
        request.scheduler(),
        request.eta(),
        shape,
        errors);
  }

  Sampling interpolation(
      InterpolationRequest request, ModelShape shape, List<FieldProblem> errors) {
    String template = request.promptTemplate();
    prompt("promptTemplate", template, true, errors);
    if (template != null && !template.contains("{}") && !template.contains("{concept}")) {
      errors.add(
          new FieldProblem(
              "promptTemplate",
              "must contain a {} or {concept} slot for the interpolated embedding"));
    }
    prompt("negativePrompt", request.negativePrompt(), false, errors);
    List<String> concepts = request.concepts();
    if (concepts == null || concepts.size() < 2 || concepts.size() > MAX_CONCEPTS) {
      errors.add(
          new FieldProblem("concepts", "must list 2 to " + MAX_CONCEPTS + " concept tokens"));
    } else if (concepts.stream().distinct().count() != concepts.size()) {
      errors.add(new FieldProblem("concepts", "must not repeat a concept"));
    } else if (concepts.stream().anyMatch(c -> c == null || !PromptConcepts.isToken(c))) {
      errors.add(new FieldProblem("concepts", "must be concept tokens such as <my-rabbit>"));
    }
    int count = concepts == null ? 0 : concepts.size();
    List<Double> t = request.t();
    List<List<Double>> weights = request.weights();
    int maxPoints = properties.maxInterpolationPoints();
    if ((t == null) == (weights == null)) {
      errors.add(new FieldProblem("t", "give either t (two concepts) or weights, not both"));
    } else if (t != null) {
      if (t.isEmpty() || t.size() > maxPoints) {
        errors.add(new FieldProblem("t", "must list 1 to " + maxPoints + " values"));
      }
      if (count != 2 && count > 0) {
        errors.add(new FieldProblem("t", "needs exactly two concepts; use weights for more"));
      }
      for (int i = 0; i < t.size(); i++) {
        Double value = t.get(i);
        if (value == null || !(value >= 0 && value <= 1)) {
          errors.add(new FieldProblem("t[" + i + "]", "must be between 0 and 1, got " + value));
        }
      }
    } else {
      if (weights.isEmpty() || weights.size() > maxPoints) {
        errors.add(new FieldProblem("weights", "must list 1 to " + maxPoints + " weight vectors"));
      }
      for (int i = 0; i < weights.size(); i++) {
        List<Double> vector = weights.get(i);
        String field = "weights[" + i + "]";
        if (vector == null || vector.size() != count) {
          errors.add(new FieldProblem(field, "must have one weight per concept (" + count + ")"));
          continue;
        }
        double sum = 0;
        boolean valid = true;
        for (Double w : vector) {
          if (w == null || !(w >= 0) || !Double.isFinite(w)) {
            valid = false;
          } else {
            sum += w;
          }
        }
        if (!valid || sum <= 0) {
          errors.add(new FieldProblem(field, "weights must be finite, ≥ 0 and not all 0"));
        }
      }
    }
    return sampling(
        request.steps(),
        request.guidanceScale(),
        request.seed(),
        request.width(),
        request.height(),
        request.scheduler(),
        request.eta(),
        shape,
        errors);
  }

  private Sampling sampling(
      Integer steps,
      Double guidanceScale,
      Long seed,
      Integer width,
      Integer height,
      String scheduler,
      Double eta,
      ModelShape shape,
      List<FieldProblem> errors) {
    int s = steps == null ? properties.defaultSteps() : steps;
    if (s < 1 || s > properties.maxSteps()) {
      errors.add(new FieldProblem("steps", "must be between 1 and " + properties.maxSteps()));
    }
    double g = guidanceScale == null ? properties.defaultGuidanceScale() : guidanceScale;
    if (!(g >= 0 && g <= properties.maxGuidanceScale())) {
      errors.add(
          new FieldProblem(
              "guidanceScale",
              "must be between 0 and " + Renderer.number(properties.maxGuidanceScale())));
    }
    long resolvedSeed = seed == null ? ThreadLocalRandom.current().nextLong(SEED_LIMIT) : seed;
    if (resolvedSeed < 0 || resolvedSeed >= SEED_LIMIT) {
      errors.add(new FieldProblem("seed", "must be between 0 and 2^53 − 1 (9007199254740991)"));
    }
    int w = width == null ? shape.resolution() : width;
    int h = height == null ? shape.resolution() : height;
    size("width", w, shape, errors);
    size("height", h, shape, errors);
    String sched = scheduler == null ? shape.defaultScheduler() : scheduler;
    if (!SchedulerType.ids().contains(sched)) {
      errors.add(
          new FieldProblem(
              "scheduler",
              "must be one of " + String.join(", ", SchedulerType.ids()) + ", got " + sched));
    }
    double e = eta == null ? 0 : eta;
    if (!(e >= 0 && e <= 1)) {
      errors.add(new FieldProblem("eta", "must be between 0 and 1"));
    }
    return new Sampling(s, g, resolvedSeed, w, h, sched, e);
  }

  private static void size(String field, int value, ModelShape shape, List<FieldProblem> errors) {
    if (value < shape.sizeMultiple()
        || value > shape.maxSide()
        || value % shape.sizeMultiple() != 0) {
      errors.add(
          new FieldProblem(
              field,
              "must be a multiple of "
                  + shape.sizeMultiple()
                  + " between "
                  + shape.sizeMultiple()
                  + " and "
                  + shape.maxSide()
                  + " for this model (default "
                  + shape.resolution()
                  + "), got "
                  + value));
    }
  }

  private static void prompt(
      String field, String value, boolean required, List<FieldProblem> errors) {
    if (value == null || value.isBlank()) {
      if (required) {
        errors.add(new FieldProblem(field, "is required"));
      }
      return;
    }
    if (value.length() > MAX_PROMPT_LENGTH) {
      errors.add(new FieldProblem(field, "must be at most " + MAX_PROMPT_LENGTH + " characters"));
    }
  }

  static void throwIfAny(List<FieldProblem> errors) {
    if (!errors.isEmpty()) {
      throw ApiProblem.invalidFields(errors);
    }
  }

  static List<FieldProblem> errors() {
    return new ArrayList<>();
  }
}
