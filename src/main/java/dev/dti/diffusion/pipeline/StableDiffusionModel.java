package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.io.ComponentFolder;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.AutoencoderKLConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A Stable Diffusion model loaded from a diffusers folder:
 *
 * <pre>
 *   model_index.json
 *   text_encoder/ config.json, model[.fp16].safetensors
 *   tokenizer/    vocab.json, merges.txt
 *   unet/         config.json, diffusion_pytorch_model[.fp16].safetensors
 *   vae/          config.json, diffusion_pytorch_model[.fp16].safetensors
 *   scheduler/    scheduler_config.json
 * </pre>
 *
 * All weights become float32 arrays owned by the manager given to {@link #load}; closing that
 * manager frees the model. {@link #id()} is the sha256 of the three weight files.
 */
public record StableDiffusionModel(
    String id,
    Path dir,
    CLIPTokenizer tokenizer,
    CLIPTextModel textEncoder,
    UNet2DConditionModel unet,
    AutoencoderKL vae,
    SchedulerConfig schedulerConfig) {

  public static StableDiffusionModel load(Path dir, NDManager manager) throws IOException {
    List<Path> weights = requiredFiles(dir);
    return new StableDiffusionModel(
        ModelId.of(dir, weights),
        dir,
        CLIPTokenizer.fromPretrained(dir.resolve("tokenizer")),
        CLIPTextModel.fromPretrained(dir.resolve("text_encoder"), manager),
        UNet2DConditionModel.load(dir.resolve("unet"), manager),
        AutoencoderKL.load(dir.resolve("vae"), manager),
        SchedulerConfig.read(
            dir.resolve("scheduler/scheduler_config.json"), SchedulerConfig.Target.DDIM));
  }

  /**
   * Makes every check {@link #load} makes before it reads a weight: the index, each component's
   * config and the tokenizer are read and the weight files found. Milliseconds, where a load of a
   * large model takes seconds and gigabytes; throws what the load would throw for these.
   */
  public static void check(Path dir) throws IOException {
    requiredFiles(dir);
    CLIPTokenizer.fromPretrained(dir.resolve("tokenizer"));
    CLIPTextConfig.read(dir.resolve("text_encoder/config.json"));
    UNet2DConditionConfig.read(dir.resolve("unet/config.json"));
    AutoencoderKLConfig.read(dir.resolve("vae/config.json"));
    SchedulerConfig.read(
        dir.resolve("scheduler/scheduler_config.json"), SchedulerConfig.Target.DDIM);
  }

  /** The index read and the component files present; returns the three weight files. */
  private static List<Path> requiredFiles(Path dir) throws IOException {
    ModelIndex.read(dir);
    for (Path required :
        List.of(
            dir.resolve("text_encoder/config.json"),
            dir.resolve("tokenizer/vocab.json"),
            dir.resolve("tokenizer/merges.txt"),
            dir.resolve("unet/config.json"),
            dir.resolve("vae/config.json"),
            dir.resolve("scheduler/scheduler_config.json"))) {
      if (!Files.isRegularFile(required)) {
        throw new IOException("Model folder " + dir + " is missing " + required);
      }
    }
    return List.of(
        ComponentFolder.weightFile(dir.resolve("text_encoder"), "model"),
        ComponentFolder.weightFile(dir.resolve("unet"), "diffusion_pytorch_model"),
        ComponentFolder.weightFile(dir.resolve("vae"), "diffusion_pytorch_model"));
  }

  /**
   * The prompt encoding of this model with the given learned concept rows (token → rows, arrays in
   * {@code manager}); the model's own vocabulary only when {@code conceptRows} is empty.
   */
  public TextConditioning textConditioning(Map<String, float[][]> conceptRows, NDManager manager) {
    return conceptRows.isEmpty()
        ? PromptEncoder.of(this)
        : PromptEncoder.withConcepts(this, conceptRows, manager);
  }
}
