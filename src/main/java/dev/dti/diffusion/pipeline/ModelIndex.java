package dev.dti.diffusion.pipeline;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A diffusers pipeline's {@code model_index.json}: which class each component folder holds. Only
 * the classes this service runs are accepted; the scheduler entry may name any diffusers scheduler,
 * since sampling rebuilds DDIM or Euler from its config (as {@code DDIMScheduler.from_config}
 * does). Optional components written as {@code [null, null]} (SDXL's feature_extractor and
 * image_encoder) are absent, as diffusers' from_pretrained treats them.
 *
 * @param forceZerosForEmptyPrompt SDXL's pipeline option: an absent negative prompt conditions on
 *     zeros instead of the encoded empty prompt (diffusers' default: true)
 */
public record ModelIndex(
    String pipelineClass, Map<String, String> componentClasses, boolean forceZerosForEmptyPrompt) {

  public static final String FILE = "model_index.json";

  /** The pipeline class of SDXL folders, whose index must also name the second text encoder. */
  public static final String SDXL_PIPELINE = "StableDiffusionXLPipeline";

  /** Component folder → the classes that folder may hold. */
  private static final Map<String, Set<String>> SUPPORTED =
      Map.of(
          "text_encoder", Set.of("CLIPTextModel"),
          "text_encoder_2", Set.of("CLIPTextModelWithProjection"),
          "tokenizer", Set.of("CLIPTokenizer", "CLIPTokenizerFast"),
          "tokenizer_2", Set.of("CLIPTokenizer", "CLIPTokenizerFast"),
          "unet", Set.of("UNet2DConditionModel"),
          "vae", Set.of("AutoencoderKL"));

  private static final List<String> REQUIRED =
      List.of("text_encoder", "tokenizer", "unet", "vae", "scheduler");

  private static final List<String> SDXL_REQUIRED = List.of("text_encoder_2", "tokenizer_2");

  public static ModelIndex read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    ConfigJson index = ConfigJson.read(file);
    String pipelineClass = index.getString("_class_name", "StableDiffusionPipeline");
    boolean xl = pipelineClass.equals(SDXL_PIPELINE);
    Map<String, String> classes = new LinkedHashMap<>();
    for (String component : REQUIRED) {
      classes.put(component, className(file, index, component, true));
    }
    for (String component : SDXL_REQUIRED) {
      String className = className(file, index, component, xl);
      if (className != null) {
        classes.put(component, className);
      }
    }
    if (classes.containsKey("text_encoder_2") != classes.containsKey("tokenizer_2")) {
      throw new IllegalArgumentException(
          file + " names only one of text_encoder_2 and tokenizer_2; they come as a pair");
    }
    return new ModelIndex(
        pipelineClass, Map.copyOf(classes), index.getBoolean("force_zeros_for_empty_prompt", true));
  }

  /** Whether the index names a second text encoder (SDXL). */
  public boolean hasSecondTextEncoder() {
    return componentClasses.containsKey("text_encoder_2");
  }

  private static String className(Path file, ConfigJson index, String component, boolean required)
      throws IOException {
    JsonNode entry = index.node(component);
    boolean absent =
        entry == null
            || entry.isNull()
            || (entry.isArray() && entry.size() == 2 && entry.get(1).isNull());
    if (absent) {
      if (required) {
        throw new IOException(file + " names no class for component '" + component + "'");
      }
      return null;
    }
    if (!entry.isArray() || entry.size() != 2) {
      throw new IOException(
          file + ": component '" + component + "' is not a [library, class] pair");
    }
    String className = entry.get(1).asString();
    Set<String> supported = SUPPORTED.get(component);
    if (supported != null && !supported.contains(className)) {
      throw new IllegalArgumentException(
          file + ": component '" + component + "' is a " + className + "; supported: " + supported);
    }
    return className;
  }
}
