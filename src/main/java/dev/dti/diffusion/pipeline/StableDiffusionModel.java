package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.io.ComponentFolder;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    List<Path> weights =
        List.of(
            ComponentFolder.weightFile(dir.resolve("text_encoder"), "model"),
            ComponentFolder.weightFile(dir.resolve("unet"), "diffusion_pytorch_model"),
            ComponentFolder.weightFile(dir.resolve("vae"), "diffusion_pytorch_model"));
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
}
