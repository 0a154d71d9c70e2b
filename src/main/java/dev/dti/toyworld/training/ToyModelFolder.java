package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.dti.concept.TemplateSet;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.toyworld.TokenizerFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes the trained model as a complete diffusers folder (model_index.json, text_encoder/,
 * tokenizer/, unet/, vae/, scheduler/) plus training_state/ for resuming. A save builds the whole
 * folder next to the target and then swaps it in with two renames, so a crash leaves either the old
 * or the new folder whole ({@link #recover} finishes an interrupted swap).
 */
public final class ToyModelFolder {

  public static final String VAE_WEIGHTS = "diffusion_pytorch_model.safetensors";
  public static final String UNET_WEIGHTS = "diffusion_pytorch_model.safetensors";
  public static final String TEXT_ENCODER_WEIGHTS = "model.safetensors";
  public static final String TRAINING_STATE = "training_state";

  private static final ObjectWriter JSON =
      JsonMapper.builder().build().writerWithDefaultPrettyPrinter();

  /** What one save holds: the model as sampled (UNet = its EMA) and what resuming needs. */
  public record Contents(
      ToyModelArchitecture architecture,
      Map<String, NDArray> vae,
      Map<String, NDArray> textEncoder,
      Map<String, NDArray> unet,
      Map<String, NDArray> trainingTensors,
      DataType trainingTensorType,
      TrainingState state) {}

  private ToyModelFolder() {}

  public static void save(Path folder, Contents contents) throws IOException {
    Path absolute = folder.toAbsolutePath();
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
    Path old = absolute.resolveSibling(absolute.getFileName() + ".old");
    delete(partial);
    write(partial, contents);
    delete(old);
    if (Files.exists(absolute)) {
      Files.move(absolute, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(partial, absolute, StandardCopyOption.ATOMIC_MOVE);
    delete(old);
  }

  /** After a crash between the two renames of a save, puts the previous folder back. */
  public static void recover(Path folder) throws IOException {
    Path absolute = folder.toAbsolutePath();
    Path old = absolute.resolveSibling(absolute.getFileName() + ".old");
    if (!Files.exists(absolute) && Files.exists(old)) {
      Files.move(old, absolute, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static void write(Path dir, Contents c) throws IOException {
    ToyModelArchitecture a = c.architecture();
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("_class_name", "StableDiffusionPipeline");
    index.put("_diffusers_version", "0.27.2");
    index.put("feature_extractor", java.util.Arrays.asList(null, null));
    index.put("requires_safety_checker", false);
    index.put("safety_checker", java.util.Arrays.asList(null, null));
    index.put("scheduler", List.of("diffusers", "DDIMScheduler"));
    index.put("text_encoder", List.of("transformers", "CLIPTextModel"));
    index.put("tokenizer", List.of("transformers", "CLIPTokenizer"));
    index.put("unet", List.of("diffusers", "UNet2DConditionModel"));
    index.put("vae", List.of("diffusers", "AutoencoderKL"));
    json(dir.resolve("model_index.json"), index);
    json(dir.resolve("vae/config.json"), ToyModelArchitecture.vaeJson(a.vae()));
    tensors(dir.resolve("vae/" + VAE_WEIGHTS), c.vae(), DataType.FLOAT32);
    json(
        dir.resolve("text_encoder/config.json"),
        ToyModelArchitecture.textEncoderJson(a.textEncoder()));
    tensors(dir.resolve("text_encoder/" + TEXT_ENCODER_WEIGHTS), c.textEncoder(), DataType.FLOAT32);
    json(dir.resolve("unet/config.json"), ToyModelArchitecture.unetJson(a.unet()));
    tensors(dir.resolve("unet/" + UNET_WEIGHTS), c.unet(), DataType.FLOAT32);
    json(
        dir.resolve("scheduler/scheduler_config.json"),
        ToyModelArchitecture.schedulerJson(a.scheduler()));
    TokenizerFiles.write(dir.resolve("tokenizer"));
    json(dir.resolve(TemplateSet.MODEL_FILE), PROMPT_TEMPLATES);
    Path state = dir.resolve(TRAINING_STATE);
    Files.createDirectories(state);
    if (!c.trainingTensors().isEmpty()) {
      tensors(state.resolve("tensors.safetensors"), c.trainingTensors(), c.trainingTensorType());
    }
    c.state().write(state.resolve("state.json"));
  }

  /**
   * Training captions in the toy vocabulary for concepts uploaded without captions: the built-in SD
   * templates ("a photo of a {}", …) are mostly words this text encoder never saw.
   */
  static final Map<String, List<String>> PROMPT_TEMPLATES =
      new java.util.TreeMap<>(
          Map.of(
              "object",
              List.of("a {}"),
              "style",
              List.of("a {} object", "a {} circle", "a {} square", "a {} triangle")));

  private static void json(Path file, Object value) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, JSON.writeValueAsString(value) + "\n");
  }

  private static void tensors(Path file, Map<String, NDArray> tensors, DataType type)
      throws IOException {
    Files.createDirectories(file.getParent());
    Map<String, NDArray> converted = new LinkedHashMap<>();
    List<NDArray> temporaries = new java.util.ArrayList<>();
    for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
      NDArray array = entry.getValue();
      if (array.getDataType() != type) {
        array = array.toType(type, true);
        temporaries.add(array);
      }
      converted.put(entry.getKey(), array);
    }
    try {
      SafetensorsWriter.write(file, converted, Map.of("format", "pt"));
    } finally {
      temporaries.forEach(NDArray::close);
    }
  }

  static void delete(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
