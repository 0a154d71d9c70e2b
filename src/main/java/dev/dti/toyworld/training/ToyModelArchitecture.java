package dev.dti.toyworld.training;

import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.vae.AutoencoderKLConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The toy base model's three networks and its noise schedule, as the records their loaders read,
 * plus the config.json maps in diffusers/transformers key names. {@link #candidates()} are the
 * sizes measured in docs/benchmarks.md ("Toy base model"); {@link #BASE} is the one trained.
 */
public record ToyModelArchitecture(
    String name,
    AutoencoderKLConfig vae,
    CLIPTextConfig textEncoder,
    UNet2DConditionConfig unet,
    SchedulerConfig scheduler) {

  /** Tokenizer size of the toy world (TokenizerFiles: 126 pieces, then start and end of text). */
  public static final int VOCAB_SIZE = 128;

  public static final int BOS_TOKEN_ID = 126;
  public static final int EOS_TOKEN_ID = 127;
  public static final int MAX_TOKENS = 16;
  public static final int TEXT_WIDTH = 128;

  /**
   * f = 4 (three blocks: 32 → 16 → 8), 4 latent channels; SD's KL autoencoder at a fraction of its
   * width. scaling_factor is a placeholder until the trainer measures 1/std of the latents.
   */
  public static final AutoencoderKLConfig VAE = vae(List.of(32, 64, 64), 16);

  /** Half the width at full resolution: measured, 1.4× faster, not needed for a short stage 1. */
  public static final AutoencoderKLConfig NARROW_VAE = vae(List.of(16, 32, 64), 8);

  static AutoencoderKLConfig vae(List<Integer> channels, int groups) {
    return new AutoencoderKLConfig(
        3,
        3,
        List.of("DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"),
        List.of("UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"),
        channels,
        1,
        "silu",
        4,
        groups,
        32,
        1.0);
  }

  /** Pre-norm CLIP text transformer over the 128-token toy vocabulary, 16 positions. */
  public static final CLIPTextConfig TEXT_ENCODER =
      new CLIPTextConfig(
          VOCAB_SIZE,
          TEXT_WIDTH,
          4 * TEXT_WIDTH,
          3,
          4,
          MAX_TOKENS,
          "quick_gelu",
          1e-5,
          BOS_TOKEN_ID,
          EOS_TOKEN_ID,
          EOS_TOKEN_ID);

  /**
   * SD 1.x's training schedule (scaled_linear 0.00085–0.012 over 1000 steps, epsilon prediction),
   * DDIM-compatible: leading spacing, steps_offset 1, no sample clipping, as SD 1.5's DDIM config.
   */
  public static final SchedulerConfig SCHEDULER =
      new SchedulerConfig(
          1000, 0.00085, 0.012, "scaled_linear", "epsilon", false, 1.0, false, 1, "leading");

  /** Two blocks at 8×8 and 4×4, cross-attention in both and in the mid block; 1.1 M weights. */
  public static final ToyModelArchitecture TINY = of("tiny", List.of(32, 64), 1, List.of(2, 4), 16);

  /** As TINY at 1.5× the width. */
  public static final ToyModelArchitecture COMPACT =
      of("compact", List.of(48, 96), 1, List.of(3, 6), 16);

  /** As TINY at twice the width. */
  public static final ToyModelArchitecture SMALL =
      of("small", List.of(64, 128), 1, List.of(4, 4), 32);

  /** As SMALL with two resnet/attention layers a block. */
  public static final ToyModelArchitecture MEDIUM =
      of("medium", List.of(64, 128), 2, List.of(4, 4), 32);

  /** SD's three-level layout on the 8×8 latent: 8 → 4 → 2, a plain down/up block at the bottom. */
  public static final ToyModelArchitecture LARGE =
      of("large", List.of(64, 128, 128), 2, List.of(4, 4, 4), 32);

  /** The size trained for models/toy-sd (chosen from the measured step times). */
  public static final ToyModelArchitecture BASE = COMPACT;

  public static List<ToyModelArchitecture> candidates() {
    return List.of(TINY, COMPACT, SMALL, MEDIUM, LARGE);
  }

  public static ToyModelArchitecture byName(String name) {
    return candidates().stream()
        .filter(a -> a.name.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown architecture '" + name + "' (tiny, compact, small, medium, large)"));
  }

  /** A UNet of the given widths on 8×8×4 latents conditioned on the toy text encoder. */
  public static ToyModelArchitecture of(
      String name, List<Integer> channels, int layersPerBlock, List<Integer> heads, int groups) {
    return new ToyModelArchitecture(
        name,
        VAE,
        TEXT_ENCODER,
        unet(channels, layersPerBlock, heads, groups, TEXT_WIDTH),
        SCHEDULER);
  }

  /** The UNet config: SD's block layout on an 8×8×4 latent, cross-attention of width textWidth. */
  public static UNet2DConditionConfig unet(
      List<Integer> channels, int layersPerBlock, List<Integer> heads, int groups, int textWidth) {
    int blocks = channels.size();
    List<String> down = new java.util.ArrayList<>();
    List<String> up = new java.util.ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      boolean bottom = blocks > 2 && i == blocks - 1;
      down.add(bottom ? UNet2DConditionConfig.DOWN : UNet2DConditionConfig.CROSS_ATTN_DOWN);
      up.add(bottom ? UNet2DConditionConfig.UP : UNet2DConditionConfig.CROSS_ATTN_UP);
    }
    java.util.Collections.reverse(up);
    UNet2DConditionConfig unet =
        new UNet2DConditionConfig(
            8,
            4,
            4,
            true,
            0,
            down,
            UNet2DConditionConfig.CROSS_ATTN_MID,
            up,
            channels,
            layersPerBlock,
            1,
            1.0,
            "silu",
            groups,
            1e-5,
            textWidth,
            1,
            heads,
            false,
            false,
            3,
            3);
    return unet;
  }

  public ToyModelArchitecture withVae(AutoencoderKLConfig newVae) {
    return new ToyModelArchitecture(name, newVae, textEncoder, unet, scheduler);
  }

  /** vae/config.json in diffusers' AutoencoderKL keys. */
  public static Map<String, Object> vaeJson(AutoencoderKLConfig c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("_class_name", "AutoencoderKL");
    json.put("_diffusers_version", "0.27.2");
    json.put("act_fn", c.actFn());
    json.put("block_out_channels", c.blockOutChannels());
    json.put("down_block_types", c.downBlockTypes());
    json.put("in_channels", c.inChannels());
    json.put("latent_channels", c.latentChannels());
    json.put("layers_per_block", c.layersPerBlock());
    json.put("norm_num_groups", c.normNumGroups());
    json.put("out_channels", c.outChannels());
    json.put("sample_size", c.sampleSize());
    json.put("scaling_factor", c.scalingFactor());
    json.put("up_block_types", c.upBlockTypes());
    return json;
  }

  /** text_encoder/config.json in transformers' CLIPTextConfig keys. */
  public static Map<String, Object> textEncoderJson(CLIPTextConfig c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("architectures", List.of("CLIPTextModel"));
    json.put("model_type", "clip_text_model");
    json.put("bos_token_id", c.bosTokenId());
    json.put("eos_token_id", c.eosTokenId());
    json.put("pad_token_id", c.padTokenId());
    json.put("hidden_act", c.hiddenAct());
    json.put("hidden_size", c.hiddenSize());
    json.put("intermediate_size", c.intermediateSize());
    json.put("layer_norm_eps", c.layerNormEps());
    json.put("max_position_embeddings", c.maxPositionEmbeddings());
    json.put("num_attention_heads", c.numAttentionHeads());
    json.put("num_hidden_layers", c.numHiddenLayers());
    json.put("projection_dim", c.hiddenSize());
    json.put("torch_dtype", "float32");
    json.put("vocab_size", c.vocabSize());
    return json;
  }

  /** unet/config.json in diffusers' UNet2DConditionModel keys. */
  public static Map<String, Object> unetJson(UNet2DConditionConfig c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("_class_name", "UNet2DConditionModel");
    json.put("_diffusers_version", "0.27.2");
    json.put("act_fn", c.actFn());
    json.put("attention_head_dim", c.attentionHeadDim());
    json.put("block_out_channels", c.blockOutChannels());
    json.put("center_input_sample", false);
    json.put("cross_attention_dim", c.crossAttentionDim());
    json.put("down_block_types", c.downBlockTypes());
    json.put("downsample_padding", c.downsamplePadding());
    json.put("flip_sin_to_cos", c.flipSinToCos());
    json.put("freq_shift", c.freqShift());
    json.put("in_channels", c.inChannels());
    json.put("layers_per_block", c.layersPerBlock());
    json.put("mid_block_scale_factor", c.midBlockScaleFactor());
    json.put("mid_block_type", c.midBlockType());
    json.put("norm_eps", c.normEps());
    json.put("norm_num_groups", c.normNumGroups());
    json.put("out_channels", c.outChannels());
    json.put("sample_size", c.sampleSize());
    json.put("transformer_layers_per_block", c.transformerLayersPerBlock());
    json.put("up_block_types", c.upBlockTypes());
    json.put("use_linear_projection", c.useLinearProjection());
    json.put("upcast_attention", c.upcastAttention());
    return json;
  }

  /** scheduler/scheduler_config.json, read by the DDIM scheduler. */
  public static Map<String, Object> schedulerJson(SchedulerConfig c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("_class_name", "DDIMScheduler");
    json.put("_diffusers_version", "0.27.2");
    json.put("beta_end", c.betaEnd());
    json.put("beta_schedule", c.betaSchedule());
    json.put("beta_start", c.betaStart());
    json.put("clip_sample", c.clipSample());
    json.put("clip_sample_range", c.clipSampleRange());
    json.put("num_train_timesteps", c.numTrainTimesteps());
    json.put("prediction_type", c.predictionType());
    json.put("set_alpha_to_one", c.setAlphaToOne());
    json.put("steps_offset", c.stepsOffset());
    json.put("timestep_spacing", c.timestepSpacing());
    return json;
  }
}
