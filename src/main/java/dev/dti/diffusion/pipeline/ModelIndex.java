package dev.dti.diffusion.pipeline;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A diffusers pipeline's {@code model_index.json}: which class each component folder holds. Only
 * the classes this service runs are accepted; the scheduler entry may name any diffusers scheduler,
 * since sampling rebuilds DDIM or Euler from its config (as {@code DDIMScheduler.from_config}
 * does).
 */
public record ModelIndex(String pipelineClass, Map<String, String> componentClasses) {

  public static final String FILE = "model_index.json";

  /** Component folder → the classes that folder may hold. */
  private static final Map<String, Set<String>> SUPPORTED =
      Map.of(
          "text_encoder", Set.of("CLIPTextModel"),
          "tokenizer", Set.of("CLIPTokenizer", "CLIPTokenizerFast"),
          "unet", Set.of("UNet2DConditionModel"),
          "vae", Set.of("AutoencoderKL"));

  public static ModelIndex read(Path modelDir) throws IOException {
    ConfigJson index = ConfigJson.read(modelDir.resolve(FILE));
    Map<String, String> classes = new java.util.LinkedHashMap<>();
    for (String component :
        new String[] {"text_encoder", "tokenizer", "unet", "vae", "scheduler"}) {
      JsonNode entry = index.node(component);
      if (entry == null || !entry.isArray() || entry.size() != 2 || entry.get(1).isNull()) {
        throw new IOException(
            modelDir.resolve(FILE) + " names no class for component '" + component + "'");
      }
      String className = entry.get(1).asString();
      Set<String> supported = SUPPORTED.get(component);
      if (supported != null && !supported.contains(className)) {
        throw new IllegalArgumentException(
            modelDir.resolve(FILE)
                + ": component '"
                + component
                + "' is a "
                + className
                + "; supported: "
                + supported);
      }
      classes.put(component, className);
    }
    return new ModelIndex(
        index.getString("_class_name", "StableDiffusionPipeline"), Map.copyOf(classes));
  }
}
