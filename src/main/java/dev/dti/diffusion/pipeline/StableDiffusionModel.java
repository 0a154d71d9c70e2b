package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.clip.CLIPTextModelOutput;
import dev.dti.diffusion.clip.CLIPTextModelWithProjection;
import dev.dti.diffusion.clip.CLIPTextModelWithProjectionConfig;
import dev.dti.diffusion.io.ComponentFolder;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.AutoencoderKLConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Stable Diffusion model loaded from a diffusers folder:
 *
 * <pre>
 *   model_index.json
 *   text_encoder/   config.json, model[.fp16].safetensors
 *   tokenizer/      vocab.json, merges.txt
 *   text_encoder_2/ config.json, model[.fp16].safetensors     (SDXL only)
 *   tokenizer_2/    vocab.json, merges.txt                     (SDXL only)
 *   unet/           config.json, diffusion_pytorch_model[.fp16].safetensors
 *   vae/            config.json, diffusion_pytorch_model[.fp16].safetensors
 *   scheduler/      scheduler_config.json
 * </pre>
 *
 * All weights become float32 arrays owned by the manager given to {@link #load}; closing that
 * manager frees the model. {@link #id()} is the sha256 of the weight files. SD 1.x/2.x have one
 * tokenizer and text encoder; SDXL ({@link #isXL()}) adds {@code tokenizer2} and {@code
 * textEncoder2} (null otherwise) and conditions on both.
 *
 * @param forceZerosForEmptyPrompt SDXL: an absent negative prompt conditions on zeros
 */
public record StableDiffusionModel(
    String id,
    Path dir,
    CLIPTokenizer tokenizer,
    CLIPTextModel textEncoder,
    CLIPTokenizer tokenizer2,
    CLIPTextModelWithProjection textEncoder2,
    UNet2DConditionModel unet,
    AutoencoderKL vae,
    SchedulerConfig schedulerConfig,
    boolean forceZerosForEmptyPrompt) {

  /** The name of the first (or only) text encoder, as in the folder and in embedding files. */
  public static final String TEXT_ENCODER = "text_encoder";

  /** The name of SDXL's second text encoder (OpenCLIP bigG with its projection). */
  public static final String TEXT_ENCODER_2 = "text_encoder_2";

  public static StableDiffusionModel load(Path dir, NDManager manager) throws IOException {
    ModelIndex index = ModelIndex.read(dir);
    List<Path> weights = requiredFiles(dir, index);
    boolean xl = index.hasSecondTextEncoder();
    checkComponentsFit(dir, index);
    return new StableDiffusionModel(
        ModelId.of(dir, weights),
        dir,
        CLIPTokenizer.fromPretrained(dir.resolve("tokenizer")),
        CLIPTextModel.fromPretrained(dir.resolve(TEXT_ENCODER), manager),
        xl ? CLIPTokenizer.fromPretrained(dir.resolve("tokenizer_2")) : null,
        xl
            ? CLIPTextModelWithProjection.fromPretrained(dir.resolve(TEXT_ENCODER_2), manager)
            : null,
        UNet2DConditionModel.load(dir.resolve("unet"), manager),
        AutoencoderKL.load(dir.resolve("vae"), manager),
        schedulerConfig(dir, xl),
        index.forceZerosForEmptyPrompt());
  }

  /**
   * The checks diffusers' SDXL pipeline makes between components: the UNet takes pooled text
   * embeddings and time ids exactly when there is a second text encoder, its cross_attention_dim is
   * the sum of the text encoders' widths, and its text_time input is text_encoder_2's
   * projection_dim plus 6 · addition_time_embed_dim.
   */
  private static void checkComponentsFit(Path dir, ModelIndex index) throws IOException {
    UNet2DConditionConfig unet = UNet2DConditionConfig.read(dir.resolve("unet/config.json"));
    int width = CLIPTextConfig.read(dir.resolve("text_encoder/config.json")).hiddenSize();
    boolean xl = index.hasSecondTextEncoder();
    if (unet.requiresAddedConditions() != xl) {
      throw new IllegalArgumentException(
          xl
              ? dir
                  + ": model_index.json names text_encoder_2 but the UNet has no text_time"
                  + " addition embedding"
              : dir
                  + ": the UNet has addition_embed_type \"text_time\" (SDXL) but"
                  + " model_index.json names no text_encoder_2 and tokenizer_2");
    }
    String widths = Integer.toString(width);
    if (xl) {
      CLIPTextModelWithProjectionConfig second =
          CLIPTextModelWithProjectionConfig.read(dir.resolve("text_encoder_2/config.json"));
      width += second.text().hiddenSize();
      widths += " + " + second.text().hiddenSize();
      if (second.projectionDim() != unet.addedTextEmbedsDim()) {
        throw new IllegalArgumentException(
            dir
                + ": text_encoder_2's projection_dim "
                + second.projectionDim()
                + " does not match the UNet's pooled text width "
                + unet.addedTextEmbedsDim()
                + " (projection_class_embeddings_input_dim − 6 · addition_time_embed_dim)");
      }
    }
    if (unet.crossAttentionDim() != width) {
      throw new IllegalArgumentException(
          dir
              + ": the UNet's cross_attention_dim "
              + unet.crossAttentionDim()
              + " is not the text encoder width "
              + widths);
    }
  }

  /**
   * Makes every check {@link #load} makes before it reads a weight: the index, each component's
   * config and the tokenizers are read and the weight files found. Milliseconds, where a load of a
   * large model takes seconds and gigabytes; throws what the load would throw for these.
   */
  public static void check(Path dir) throws IOException {
    ModelIndex index = ModelIndex.read(dir);
    requiredFiles(dir, index);
    CLIPTokenizer.fromPretrained(dir.resolve("tokenizer"));
    CLIPTextConfig.read(dir.resolve("text_encoder/config.json"));
    if (index.hasSecondTextEncoder()) {
      CLIPTokenizer.fromPretrained(dir.resolve("tokenizer_2"));
      CLIPTextModelWithProjectionConfig.read(dir.resolve("text_encoder_2/config.json"));
    }
    checkComponentsFit(dir, index);
    AutoencoderKLConfig.read(dir.resolve("vae/config.json"));
    schedulerConfig(dir, index.hasSecondTextEncoder());
  }

  /**
   * The scheduler config, read with the defaults of the scheduler the pipeline samples with by
   * default: DDIM for SD 1.x/2.x, Euler for SDXL (as diffusers' SDXL folders ship).
   */
  private static SchedulerConfig schedulerConfig(Path dir, boolean xl) throws IOException {
    return SchedulerConfig.read(
        dir.resolve("scheduler/scheduler_config.json"),
        xl ? SchedulerConfig.Target.EULER_DISCRETE : SchedulerConfig.Target.DDIM);
  }

  /** The component files present; returns the weight files, in the order the id hashes them. */
  private static List<Path> requiredFiles(Path dir, ModelIndex index) throws IOException {
    List<String> encoders = textEncoderNames(index.hasSecondTextEncoder());
    List<Path> required = new ArrayList<>();
    for (String encoder : encoders) {
      String tokenizer = encoder.replace("text_encoder", "tokenizer");
      required.add(dir.resolve(encoder + "/config.json"));
      required.add(dir.resolve(tokenizer + "/vocab.json"));
      required.add(dir.resolve(tokenizer + "/merges.txt"));
    }
    required.add(dir.resolve("unet/config.json"));
    required.add(dir.resolve("vae/config.json"));
    required.add(dir.resolve("scheduler/scheduler_config.json"));
    for (Path file : required) {
      if (!Files.isRegularFile(file)) {
        throw new IOException("Model folder " + dir + " is missing " + file);
      }
    }
    List<Path> weights = new ArrayList<>();
    weights.add(ComponentFolder.weightFile(dir.resolve(TEXT_ENCODER), "model"));
    weights.add(ComponentFolder.weightFile(dir.resolve("unet"), "diffusion_pytorch_model"));
    weights.add(ComponentFolder.weightFile(dir.resolve("vae"), "diffusion_pytorch_model"));
    if (encoders.size() > 1) {
      weights.add(ComponentFolder.weightFile(dir.resolve(TEXT_ENCODER_2), "model"));
    }
    return weights;
  }

  private static List<String> textEncoderNames(boolean xl) {
    return xl ? List.of(TEXT_ENCODER, TEXT_ENCODER_2) : List.of(TEXT_ENCODER);
  }

  /**
   * Whether this is an SDXL model: two text encoders and a UNet that takes pooled text embeddings
   * and time ids (load refuses a folder where the two disagree).
   */
  public boolean isXL() {
    return textEncoder2 != null;
  }

  /** {@code [text_encoder]}, or {@code [text_encoder, text_encoder_2]} for SDXL. */
  public List<String> textEncoderNames() {
    return textEncoderNames(isXL());
  }

  /** The tokenizer that feeds the text encoder named {@code encoder}. */
  public CLIPTokenizer tokenizer(String encoder) {
    return switch (requireEncoder(encoder)) {
      case TEXT_ENCODER -> tokenizer;
      default -> tokenizer2;
    };
  }

  /** The frozen token-embedding table [vocab, hidden] of the text encoder named {@code encoder}. */
  public NDArray tokenEmbedding(String encoder) {
    return switch (requireEncoder(encoder)) {
      case TEXT_ENCODER -> textEncoder.tokenEmbedding();
      default -> textEncoder2.tokenEmbedding();
    };
  }

  /** The hidden width of the text encoder named {@code encoder} (its token rows' length). */
  public int hiddenSize(String encoder) {
    return switch (requireEncoder(encoder)) {
      case TEXT_ENCODER -> textEncoder.config().hiddenSize();
      default -> textEncoder2.config().text().hiddenSize();
    };
  }

  private String requireEncoder(String encoder) {
    if (!textEncoderNames().contains(encoder)) {
      throw new IllegalArgumentException(
          "this model has no text encoder '" + encoder + "'; it has " + textEncoderNames());
    }
    return encoder;
  }

  /** The scheduler sampling uses when a request names none: Euler for SDXL, else DDIM. */
  public SchedulerType defaultScheduler() {
    return isXL() ? SchedulerType.EULER : SchedulerType.DDIM;
  }

  /**
   * The UNet conditioning of a batch of prompts given as token ids [B, T] per encoder name, with
   * caller-owned token rows injected per encoder (id → row [hidden]; may be missing for an encoder
   * without concepts). SD 1.x/2.x: text_encoder's last hidden state. SDXL: both encoders'
   * hidden_states[-2] (no final layer norm) concatenated on the feature axis and text_encoder_2's
   * text_embeds as the pooled embedding; the time ids are left to the caller ({@link
   * Conditioning#withTimeIds}). Differentiable with respect to the injected rows.
   */
  public Conditioning encode(
      Map<String, NDArray> inputIdsPerEncoder,
      Map<String, Map<Integer, NDArray>> injectedPerEncoder) {
    NDArray ids = requireIds(inputIdsPerEncoder, TEXT_ENCODER);
    Map<Integer, NDArray> injected = injectedPerEncoder.getOrDefault(TEXT_ENCODER, Map.of());
    if (!isXL()) {
      return Conditioning.of(textEncoder.forward(ids, injected).lastHiddenState());
    }
    NDArray first = textEncoder.forward(ids, injected).penultimateHiddenState();
    CLIPTextModelOutput second =
        textEncoder2.forward(
            requireIds(inputIdsPerEncoder, TEXT_ENCODER_2),
            injectedPerEncoder.getOrDefault(TEXT_ENCODER_2, Map.of()));
    NDArray hidden = NDArrays.concat(new NDList(first, second.penultimateHiddenState()), -1);
    return new Conditioning(hidden, second.textEmbeds(), null);
  }

  private static NDArray requireIds(Map<String, NDArray> inputIds, String encoder) {
    NDArray ids = inputIds.get(encoder);
    if (ids == null) {
      throw new IllegalArgumentException("no input ids for text encoder '" + encoder + "'");
    }
    return ids;
  }

  /**
   * The prompt encoding of this model with the given learned concept rows (token → encoder name →
   * rows, arrays created in {@code manager}); the model's own vocabulary only when {@code
   * conceptRows} is empty. SD 1.x/2.x read the {@code text_encoder} rows; SDXL needs both.
   */
  public TextConditioning textConditioning(
      Map<String, Map<String, float[][]>> conceptRows, NDManager manager) {
    if (isXL()) {
      return StableDiffusionXLPromptEncoder.withConcepts(this, conceptRows, manager);
    }
    return conceptRows.isEmpty()
        ? PromptEncoder.of(this)
        : PromptEncoder.withConcepts(this, firstEncoderRows(conceptRows), manager);
  }

  private static Map<String, float[][]> firstEncoderRows(
      Map<String, Map<String, float[][]>> conceptRows) {
    Map<String, float[][]> rows = new java.util.LinkedHashMap<>();
    conceptRows.forEach(
        (token, perEncoder) -> {
          float[][] encoderRows = perEncoder.get(TEXT_ENCODER);
          if (encoderRows == null) {
            throw new IllegalArgumentException(
                "concept " + token + " has no rows for '" + TEXT_ENCODER + "'");
          }
          rows.put(token, encoderRows);
        });
    return rows;
  }
}
