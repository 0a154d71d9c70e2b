package dev.dti.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.clip.CLIPTextModelOutput;
import dev.dti.diffusion.clip.CLIPTextModelWithProjection;
import dev.dti.diffusion.clip.CLIPTextOutput;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.DiagonalGaussianDistribution;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code model}: diagnostics that run one component of a diffusers model folder on tensors from a
 * safetensors file, so its outputs can be compared with the Python reference (docs/model-stack.md).
 */
public final class ModelCommands implements CommandGroup {

  private static final String USAGE =
      """
      usage: model run --dir MODEL_DIR --component text_encoder|text_encoder_2|unet|vae_encode|vae_decode \
      --inputs IN.safetensors --out OUT.safetensors
             model tokenize --dir MODEL_DIR --text TEXT""";

  private final PrintStream out;

  public ModelCommands() {
    this(System.out);
  }

  ModelCommands(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "model";
  }

  @Override
  public String summary() {
    return "run one model component on safetensors inputs (run), or tokenize a prompt (tokenize)";
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(USAGE);
    }
    Map<String, String> options = options(args);
    return switch (args[0]) {
      case "run" -> {
        runComponent(
            Path.of(required(options, "dir")),
            required(options, "component"),
            Path.of(required(options, "inputs")),
            Path.of(required(options, "out")));
        yield 0;
      }
      case "tokenize" -> {
        Path dir = componentDir(Path.of(required(options, "dir")), "tokenizer");
        int[] ids = CLIPTokenizer.fromPretrained(dir).encodePadded(required(options, "text"));
        out.println(Arrays.toString(ids));
        yield 0;
      }
      default ->
          throw new IllegalArgumentException("unknown model command '" + args[0] + "'\n" + USAGE);
    };
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs\n" + USAGE);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing --" + name + "\n" + USAGE);
    }
    return value;
  }

  /**
   * The folder of {@code component} under a full model folder, or {@code dir} itself when it is
   * that component's folder (as the golden folders are).
   */
  static Path componentDir(Path dir, String component) {
    Path sub = dir.resolve(component);
    return Files.isDirectory(sub) ? sub : dir;
  }

  /**
   * The tensor {@code name} of {@code inputs}, or null when the file has none (the SDXL UNet's
   * text_embeds and time_ids, which an SD 1.x/2.x UNet refuses).
   */
  private static NDArray optional(SafetensorsFile inputs, NDManager manager, String name)
      throws IOException {
    return inputs.names().contains(name) ? inputs.load(manager, name) : null;
  }

  private static final List<String> COMPONENTS =
      List.of("text_encoder", "text_encoder_2", "unet", "vae_encode", "vae_decode");

  private void runComponent(Path dir, String component, Path inputsFile, Path outFile)
      throws IOException {
    if (!COMPONENTS.contains(component)) {
      throw new IllegalArgumentException(
          "unknown component '" + component + "'; one of " + COMPONENTS);
    }
    try (NDManager manager = NDManager.newBaseManager();
        SafetensorsFile inputs = SafetensorsFile.open(inputsFile)) {
      Map<String, NDArray> outputs = new LinkedHashMap<>();
      switch (component) {
        case "text_encoder" -> {
          CLIPTextModel textEncoder =
              CLIPTextModel.fromPretrained(componentDir(dir, "text_encoder"), manager);
          CLIPTextOutput result = textEncoder.forward(inputs.load(manager, "input_ids"));
          outputs.put("last_hidden_state", result.lastHiddenState());
          outputs.put("penultimate_hidden_state", result.penultimateHiddenState());
          outputs.put("pooler_output", result.pooledOutput());
          outputs.put("hidden_states", NDArrays.stack(new NDList(result.hiddenStates())));
        }
        case "text_encoder_2" -> {
          CLIPTextModelWithProjection textEncoder =
              CLIPTextModelWithProjection.fromPretrained(
                  componentDir(dir, "text_encoder_2"), manager);
          NDArray inputIds = inputs.load(manager, "input_ids");
          CLIPTextModelOutput result = textEncoder.forward(inputIds);
          outputs.put("last_hidden_state", result.lastHiddenState());
          outputs.put("penultimate_hidden_state", result.penultimateHiddenState());
          outputs.put("pooler_output", result.pooledOutput());
          outputs.put("text_embeds", result.textEmbeds());
          outputs.put("hidden_states", NDArrays.stack(new NDList(result.hiddenStates())));
          long[] pooled =
              Arrays.stream(textEncoder.pooledIndices(inputIds)).asLongStream().toArray();
          outputs.put("pooled_index", manager.create(pooled));
        }
        case "unet" -> {
          UNet2DConditionModel unet = UNet2DConditionModel.load(componentDir(dir, "unet"), manager);
          outputs.put(
              "sample",
              unet.forward(
                  inputs.load(manager, "sample"),
                  inputs.load(manager, "timestep"),
                  inputs.load(manager, "encoder_hidden_states"),
                  optional(inputs, manager, "text_embeds"),
                  optional(inputs, manager, "time_ids")));
        }
        case "vae_encode" -> {
          AutoencoderKL vae = AutoencoderKL.load(componentDir(dir, "vae"), manager);
          DiagonalGaussianDistribution dist = vae.encode(inputs.load(manager, "image"));
          outputs.put("latent_dist_mean", dist.mean());
          outputs.put("latent_dist_logvar", dist.logvar());
        }
        case "vae_decode" -> {
          AutoencoderKL vae = AutoencoderKL.load(componentDir(dir, "vae"), manager);
          outputs.put("decoded_sample", vae.decode(inputs.load(manager, "latent")));
        }
        default -> throw new IllegalStateException(component);
      }
      SafetensorsWriter.write(outFile, outputs, Map.of("format", "pt"));
      out.println("wrote " + String.join(", ", outputs.keySet()) + " to " + outFile);
    }
  }
}
