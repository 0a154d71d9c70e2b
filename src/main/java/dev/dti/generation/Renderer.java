package dev.dti.generation;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.Conditioning;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.Images;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextConditioning;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.embedding.Embedding;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the images of a plan with learned rows injected: each concept token is registered on a
 * per-request copy of the model's tokenizer ({@code <tok>} → n new ids) and its rows are handed to
 * the text encoder by id; the conditioning then goes through {@link TextToImage}. Must run on a
 * dedicated platform thread (JNI). Image i of a generation uses seed + i; every image of an
 * interpolation uses the seed itself, so only the embedding changes between them.
 */
public final class Renderer {

  /**
   * The placeholder that stands for the interpolated embedding in an interpolation's prompt. The
   * colon keeps it apart from every concept token ({@code <[a-z0-9][a-z0-9_-]*>}).
   */
  public static final String SLOT_TOKEN = "<dti:interpolated>";

  /** One rendered image: PNG bytes with its metadata in text chunks, and the same metadata. */
  public record RenderedImage(
      int index, long seed, int width, int height, byte[] png, Map<String, String> metadata) {}

  private final StableDiffusionModel model;
  private final String modelName;
  private final GenerationPlan plan;
  private final Map<String, Map<String, float[][]>> conceptRows;
  private final List<float[][]> interpolated;

  /**
   * @param conceptRows the rows of each concept token of the prompt and negative prompt, per text
   *     encoder name
   * @param interpolated for an interpolation, the rows of each point (text_encoder's); else empty
   */
  public Renderer(
      StableDiffusionModel model,
      String modelName,
      GenerationPlan plan,
      Map<String, Map<String, float[][]>> conceptRows,
      List<float[][]> interpolated) {
    this.model = model;
    this.modelName = modelName;
    this.plan = plan;
    this.conceptRows = Map.copyOf(conceptRows);
    this.interpolated = List.copyOf(interpolated);
  }

  public RenderedImage render(int index) {
    Map<String, Map<String, float[][]>> tokens = new LinkedHashMap<>(conceptRows);
    if (plan.interpolation() != null) {
      tokens.put(SLOT_TOKEN, Map.of(StableDiffusionModel.TEXT_ENCODER, interpolated.get(index)));
    }
    long seed = plan.seedOf(index);
    BufferedImage image;
    try (NDManager manager = NDManager.newBaseManager()) {
      TextConditioning prompts = model.textConditioning(tokens, manager);
      Conditioning cond = prompts.encode(plan.prompt(), manager);
      Conditioning uncond = prompts.encodeNegative(plan.negativePrompt(), manager);
      image =
          TextToImage.generate(
              model.unet(),
              model.vae(),
              model.schedulerConfig(),
              cond,
              uncond,
              new GenerationSettings(
                  plan.width(),
                  plan.height(),
                  plan.steps(),
                  plan.guidanceScale(),
                  plan.eta(),
                  seed,
                  SchedulerType.of(plan.scheduler())));
    }
    Map<String, String> metadata = metadata(index, seed);
    byte[] png = PngText.withText(Images.png(image), metadata);
    return new RenderedImage(index, seed, plan.width(), plan.height(), png, metadata);
  }

  /** The embedding's rows by text encoder name, as the model's prompt encoding takes them. */
  static Map<String, float[][]> rowsPerEncoder(Embedding embedding) {
    Map<String, float[][]> rows = new LinkedHashMap<>();
    embedding.encoders().forEach((encoder, encoderRows) -> rows.put(encoder, encoderRows.rows()));
    return rows;
  }

  /**
   * The image's metadata, written to PNG text chunks and returned in JSON: everything needed to
   * render it again, plus an A1111-style {@code parameters} entry that image tools display.
   */
  Map<String, String> metadata(int index, long seed) {
    Map<String, String> meta = new LinkedHashMap<>();
    String prompt =
        plan.interpolation() == null ? plan.prompt() : plan.interpolation().promptTemplate();
    meta.put("prompt", prompt);
    String negative = plan.negativePrompt() == null ? "" : plan.negativePrompt();
    meta.put("negative_prompt", negative);
    meta.put("seed", Long.toString(seed));
    meta.put("steps", Integer.toString(plan.steps()));
    meta.put("guidance_scale", number(plan.guidanceScale()));
    meta.put("eta", number(plan.eta()));
    meta.put("scheduler", plan.scheduler());
    meta.put("width", Integer.toString(plan.width()));
    meta.put("height", Integer.toString(plan.height()));
    meta.put("index", Integer.toString(index));
    meta.put("concept_ids", ids(plan.concepts()));
    meta.put("concept_tokens", tokens(plan.concepts()));
    if (plan.interpolation() != null) {
      var point = plan.interpolation().points().get(index);
      meta.put("interpolated_concept_ids", ids(plan.interpolation().concepts()));
      meta.put("interpolated_concept_tokens", tokens(plan.interpolation().concepts()));
      if (point.t() != null) {
        meta.put("t", number(point.t()));
      }
      meta.put(
          "weights",
          point.weights().stream().map(Renderer::number).collect(Collectors.joining(",")));
    }
    meta.put("model_name", modelName);
    meta.put("model_id", model.id());
    meta.put(
        "parameters",
        String.format(
            Locale.ROOT,
            "%s%nNegative prompt: %s%nSteps: %d, Sampler: %s, CFG scale: %s, Seed: %d, Size: %dx%d,"
                + " Model hash: %s, Model: %s",
            prompt,
            negative,
            plan.steps(),
            SchedulerType.of(plan.scheduler()).samplerName(),
            number(plan.guidanceScale()),
            seed,
            plan.width(),
            plan.height(),
            model.id().substring(0, Math.min(10, model.id().length())),
            modelName));
    meta.put("Software", "dti-service");
    return meta;
  }

  private static String ids(List<PinnedConcept> concepts) {
    return concepts.stream().map(c -> c.conceptId().toString()).collect(Collectors.joining(","));
  }

  private static String tokens(List<PinnedConcept> concepts) {
    return concepts.stream().map(PinnedConcept::token).collect(Collectors.joining(","));
  }

  /** Shortest text that reads back as the same double (7.5, not 7.500000). */
  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
