package dev.dti.support;

import dev.dti.diffusion.pipeline.ModelIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A diffusers model folder assembled from the golden tiny components: CLIP (hidden 32, vocab 1000,
 * 16 positions), the SD-1.5-shaped UNet (cross_attention_dim 32) and the tiny VAE (scale factor 2).
 *
 * <p>The golden tokenizer has 49,408 entries but the tiny CLIP only 1,000 rows, so the tokenizer
 * here is the golden one cut to its first 998 entries (256 byte characters, the same with {@code
 * </w>}, the first 486 merges), with {@code <|startoftext|>} = 998 and {@code <|endoftext|>} = 999
 * as the tiny CLIP config's bos/eos ids.
 */
public final class TinyModelFolder {

  private TinyModelFolder() {}

  /** Writes the folder to args[0], replacing what is there (the training benchmark's fallback). */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    create(dir);
    System.out.println("tiny model folder: " + dir);
  }

  public static Path create(Path dir) throws IOException {
    Path clip = Golden.dir("clip_text");
    Path unet = Golden.dir("unet_sd15_tiny");
    Path vae = Golden.dir("vae_tiny");
    copy(clip.resolve("config.json"), dir.resolve("text_encoder/config.json"));
    copy(clip.resolve("model.safetensors"), dir.resolve("text_encoder/model.safetensors"));
    copy(unet.resolve("config.json"), dir.resolve("unet/config.json"));
    copy(
        unet.resolve("diffusion_pytorch_model.safetensors"),
        dir.resolve("unet/diffusion_pytorch_model.safetensors"));
    copy(vae.resolve("config.json"), dir.resolve("vae/config.json"));
    copy(
        vae.resolve("diffusion_pytorch_model.safetensors"),
        dir.resolve("vae/diffusion_pytorch_model.safetensors"));
    writeTokenizer(dir.resolve("tokenizer"));
    write(
        dir.resolve("scheduler/scheduler_config.json"),
        """
        {"_class_name": "PNDMScheduler", "num_train_timesteps": 1000, "beta_start": 0.00085,
         "beta_end": 0.012, "beta_schedule": "scaled_linear", "set_alpha_to_one": false,
         "steps_offset": 1, "skip_prk_steps": true, "clip_sample": false}
        """);
    write(
        dir.resolve(ModelIndex.FILE),
        """
        {"_class_name": "StableDiffusionPipeline",
         "feature_extractor": [null, null], "safety_checker": [null, null],
         "scheduler": ["diffusers", "PNDMScheduler"],
         "text_encoder": ["transformers", "CLIPTextModel"],
         "tokenizer": ["transformers", "CLIPTokenizer"],
         "unet": ["diffusers", "UNet2DConditionModel"],
         "vae": ["diffusers", "AutoencoderKL"]}
        """);
    return dir;
  }

  private static void writeTokenizer(Path dir) throws IOException {
    Path golden = Golden.dir("clip_tokenizer");
    JsonNode vocab =
        JsonMapper.builder().build().readTree(Files.readString(golden.resolve("vocab.json")));
    Map<String, Integer> kept = new TreeMap<>();
    vocab
        .properties()
        .forEach(
            e -> {
              if (e.getValue().asInt() < 998) {
                kept.put(e.getKey(), e.getValue().asInt());
              }
            });
    kept.put("<|startoftext|>", 998);
    kept.put("<|endoftext|>", 999);
    write(dir.resolve("vocab.json"), JsonMapper.builder().build().writeValueAsString(kept));
    List<String> merges = Files.readAllLines(golden.resolve("merges.txt"));
    write(dir.resolve("merges.txt"), String.join("\n", merges.subList(0, 1 + 486)) + "\n");
    write(
        dir.resolve("tokenizer_config.json"),
        """
        {"model_max_length": 16, "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
         "pad_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}
        """);
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to);
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
