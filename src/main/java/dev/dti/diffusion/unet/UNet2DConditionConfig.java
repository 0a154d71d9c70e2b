package dev.dti.diffusion.unet;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The part of diffusers' {@code UNet2DConditionModel} config.json that Stable Diffusion 1.x, 2.x
 * and SDXL use. {@code attentionHeadDim} and {@code transformerLayersPerBlock} are per down block
 * (an int in config.json is repeated); attention_head_dim is in diffusers, despite its name, the
 * NUMBER of heads — see {@link #attentionHeads(int)}. SDXL's micro-conditioning is {@code
 * additionEmbedType} "text_time" with {@code additionTimeEmbedDim} and {@code
 * projectionClassEmbeddingsInputDim}; all three are null for SD 1.x/2.x.
 */
public record UNet2DConditionConfig(
    Integer sampleSize,
    int inChannels,
    int outChannels,
    boolean flipSinToCos,
    int freqShift,
    List<String> downBlockTypes,
    String midBlockType,
    List<String> upBlockTypes,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    int downsamplePadding,
    double midBlockScaleFactor,
    String actFn,
    int normNumGroups,
    double normEps,
    int crossAttentionDim,
    List<Integer> transformerLayersPerBlock,
    List<Integer> attentionHeadDim,
    boolean useLinearProjection,
    boolean upcastAttention,
    int convInKernel,
    int convOutKernel,
    String additionEmbedType,
    Integer additionTimeEmbedDim,
    Integer projectionClassEmbeddingsInputDim) {

  public static final String CROSS_ATTN_DOWN = "CrossAttnDownBlock2D";
  public static final String DOWN = "DownBlock2D";
  public static final String CROSS_ATTN_MID = "UNetMidBlock2DCrossAttn";
  public static final String CROSS_ATTN_UP = "CrossAttnUpBlock2D";
  public static final String UP = "UpBlock2D";

  /**
   * SDXL's addition_embed_type: pooled text embeddings and six time ids added to the time
   * embedding.
   */
  public static final String TEXT_TIME = "text_time";

  /** Number of SDXL time ids: original (h, w), crop (top, left), target (h, w). */
  public static final int TIME_IDS = 6;

  /**
   * The defaults of {@code UNet2DConditionModel.__init__} in diffusers v0.27.2
   * (models/unets/unet_2d_condition.py), used for every key config.json leaves out. These are the
   * SD 1.x shapes except {@code cross_attention_dim}, whose default 1280 no released SD model uses.
   */
  public static final UNet2DConditionConfig DIFFUSERS_DEFAULTS =
      new UNet2DConditionConfig(
          null,
          4,
          4,
          true,
          0,
          List.of(CROSS_ATTN_DOWN, CROSS_ATTN_DOWN, CROSS_ATTN_DOWN, DOWN),
          CROSS_ATTN_MID,
          List.of(UP, CROSS_ATTN_UP, CROSS_ATTN_UP, CROSS_ATTN_UP),
          List.of(320, 640, 1280, 1280),
          2,
          1,
          1.0,
          "silu",
          32,
          1e-5,
          1280,
          List.of(1, 1, 1, 1),
          List.of(8, 8, 8, 8),
          false,
          false,
          3,
          3,
          null,
          null,
          null);

  /**
   * Keys whose feature this port does not implement, with the only value accepted (diffusers'
   * default, which switches the feature off): class embeddings, other added conditionings, etc.
   */
  private static final Map<String, Object> UNSUPPORTED_UNLESS = unsupportedUnless();

  private static Map<String, Object> unsupportedUnless() {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("center_input_sample", false);
    keys.put("only_cross_attention", false);
    keys.put("mid_block_only_cross_attention", null);
    keys.put("dual_cross_attention", false);
    keys.put("class_embed_type", null);
    keys.put("num_class_embeds", null);
    keys.put("class_embeddings_concat", false);
    keys.put("encoder_hid_dim", null);
    keys.put("encoder_hid_dim_type", null);
    keys.put("time_embedding_type", "positional");
    keys.put("time_embedding_dim", null);
    keys.put("time_embedding_act_fn", null);
    keys.put("timestep_post_act", null);
    keys.put("time_cond_proj_dim", null);
    keys.put("resnet_time_scale_shift", "default");
    keys.put("resnet_skip_time_act", false);
    keys.put("resnet_out_scale_factor", 1.0);
    keys.put("reverse_transformer_layers_per_block", null);
    keys.put("cross_attention_norm", null);
    keys.put("attention_type", "default");
    return keys;
  }

  /**
   * A config without added conditioning and with the same transformer depth in every block (the SD
   * 1.x/2.x layout).
   */
  public UNet2DConditionConfig(
      Integer sampleSize,
      int inChannels,
      int outChannels,
      boolean flipSinToCos,
      int freqShift,
      List<String> downBlockTypes,
      String midBlockType,
      List<String> upBlockTypes,
      List<Integer> blockOutChannels,
      int layersPerBlock,
      int downsamplePadding,
      double midBlockScaleFactor,
      String actFn,
      int normNumGroups,
      double normEps,
      int crossAttentionDim,
      int transformerLayersPerBlock,
      List<Integer> attentionHeadDim,
      boolean useLinearProjection,
      boolean upcastAttention,
      int convInKernel,
      int convOutKernel) {
    this(
        sampleSize,
        inChannels,
        outChannels,
        flipSinToCos,
        freqShift,
        downBlockTypes,
        midBlockType,
        upBlockTypes,
        blockOutChannels,
        layersPerBlock,
        downsamplePadding,
        midBlockScaleFactor,
        actFn,
        normNumGroups,
        normEps,
        crossAttentionDim,
        Collections.nCopies(blockOutChannels.size(), transformerLayersPerBlock),
        attentionHeadDim,
        useLinearProjection,
        upcastAttention,
        convInKernel,
        convOutKernel,
        null,
        null,
        null);
  }

  public UNet2DConditionConfig {
    downBlockTypes = List.copyOf(downBlockTypes);
    transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
    upBlockTypes = List.copyOf(upBlockTypes);
    blockOutChannels = List.copyOf(blockOutChannels);
    attentionHeadDim = List.copyOf(attentionHeadDim);
    int blocks = blockOutChannels.size();
    require(
        downBlockTypes.size() == blocks && upBlockTypes.size() == blocks,
        "down_block_types, up_block_types and block_out_channels must have the same length, got "
            + downBlockTypes
            + ", "
            + upBlockTypes
            + ", "
            + blockOutChannels);
    require(
        attentionHeadDim.size() == blocks,
        "attention_head_dim must be one int or one per block ("
            + blocks
            + "): "
            + attentionHeadDim);
    require(
        transformerLayersPerBlock.size() == blocks,
        "transformer_layers_per_block must be one int or one per block ("
            + blocks
            + "): "
            + transformerLayersPerBlock);
    for (int layers : transformerLayersPerBlock) {
      require(
          layers >= 1, "transformer_layers_per_block must be >= 1: " + transformerLayersPerBlock);
    }
    if (additionEmbedType == null) {
      require(
          additionTimeEmbedDim == null && projectionClassEmbeddingsInputDim == null,
          "addition_time_embed_dim and projection_class_embeddings_input_dim must be null without"
              + " addition_embed_type (this port implements no class embeddings)");
    } else {
      require(
          TEXT_TIME.equals(additionEmbedType),
          "unsupported UNet config addition_embed_type = \""
              + additionEmbedType
              + "\": this port implements only null (Stable Diffusion 1.x/2.x) and \"text_time\""
              + " (SDXL)");
      require(
          additionTimeEmbedDim != null && additionTimeEmbedDim > 0 && additionTimeEmbedDim % 2 == 0,
          "addition_embed_type \"text_time\" needs an even addition_time_embed_dim > 0, got "
              + additionTimeEmbedDim);
      require(
          projectionClassEmbeddingsInputDim != null
              && projectionClassEmbeddingsInputDim > TIME_IDS * additionTimeEmbedDim,
          "addition_embed_type \"text_time\" needs projection_class_embeddings_input_dim = pooled"
              + " text width + 6 · addition_time_embed_dim ("
              + TIME_IDS * additionTimeEmbedDim
              + ") with a pooled width > 0, got "
              + projectionClassEmbeddingsInputDim);
    }
    for (String type : downBlockTypes) {
      require(
          type.equals(CROSS_ATTN_DOWN) || type.equals(DOWN),
          "unsupported down block type '"
              + type
              + "' (supported: CrossAttnDownBlock2D, DownBlock2D)");
    }
    for (String type : upBlockTypes) {
      require(
          type.equals(CROSS_ATTN_UP) || type.equals(UP),
          "unsupported up block type '" + type + "' (supported: CrossAttnUpBlock2D, UpBlock2D)");
    }
    require(
        CROSS_ATTN_MID.equals(midBlockType),
        "unsupported mid_block_type '" + midBlockType + "' (supported: UNetMidBlock2DCrossAttn)");
    require(
        actFn.equals("silu") || actFn.equals("swish"),
        "unsupported act_fn '" + actFn + "' (supported: silu)");
    require(
        downsamplePadding == 1,
        "unsupported downsample_padding " + downsamplePadding + " (supported: 1)");
    require(
        convInKernel % 2 == 1 && convOutKernel % 2 == 1,
        "conv_in_kernel and conv_out_kernel must be odd");
    require(blockOutChannels.get(0) % 2 == 0, "block_out_channels[0] must be even");
    for (int i = 0; i < blocks; i++) {
      int channels = blockOutChannels.get(i);
      require(
          channels % normNumGroups == 0,
          "block_out_channels " + channels + " do not split into " + normNumGroups + " groups");
      require(
          channels % attentionHeadDim.get(i) == 0,
          "block_out_channels["
              + i
              + "] = "
              + channels
              + " is not divisible by its "
              + attentionHeadDim.get(i)
              + " attention heads");
    }
  }

  /**
   * Attention heads of down block {@code i} (and of the up block mirroring it). diffusers sets
   * {@code num_attention_heads = num_attention_heads or attention_head_dim}, so attention_head_dim
   * counts heads; head_dim is then channels / heads (64 for SD 1.x at 320 channels, 8 heads).
   */
  public int attentionHeads(int downBlockIndex) {
    return attentionHeadDim.get(downBlockIndex);
  }

  /**
   * BasicTransformerBlocks per Transformer2DModel in down block {@code i}; the up block mirroring
   * it uses the same (diffusers reverses the list for the up blocks), the mid block the last entry.
   */
  public int transformerLayers(int downBlockIndex) {
    return transformerLayersPerBlock.get(downBlockIndex);
  }

  /** True for SDXL's "text_time": forward needs the pooled text embeddings and the time ids. */
  public boolean requiresAddedConditions() {
    return TEXT_TIME.equals(additionEmbedType);
  }

  /**
   * Width of the pooled text embedding text_time expects (SDXL: 1280, text_encoder_2's
   * projection_dim): projection_class_embeddings_input_dim − 6 · addition_time_embed_dim.
   */
  public int addedTextEmbedsDim() {
    if (!requiresAddedConditions()) {
      throw new IllegalStateException("this UNet has no added conditioning");
    }
    return projectionClassEmbeddingsInputDim - TIME_IDS * additionTimeEmbedDim;
  }

  /** diffusers' time_embed_dim = block_out_channels[0] · 4 (time_embedding_dim unset). */
  public int timeEmbedDim() {
    return blockOutChannels.get(0) * 4;
  }

  public static UNet2DConditionConfig read(Path configJson) throws IOException {
    return fromJson(ConfigJson.read(configJson));
  }

  public static UNet2DConditionConfig fromJson(String json) {
    return fromJson(ConfigJson.parse(json));
  }

  public static UNet2DConditionConfig fromJson(JsonNode root) {
    return fromJson(ConfigJson.of(root));
  }

  private static UNet2DConditionConfig fromJson(ConfigJson c) {
    UNet2DConditionConfig d = DIFFUSERS_DEFAULTS;
    checkSupported(c);
    List<String> downTypes = c.getStringList("down_block_types", d.downBlockTypes);
    return new UNet2DConditionConfig(
        c.has("sample_size") ? Integer.valueOf(c.getInt("sample_size", 0)) : d.sampleSize,
        c.getInt("in_channels", d.inChannels),
        c.getInt("out_channels", d.outChannels),
        c.getBoolean("flip_sin_to_cos", d.flipSinToCos),
        c.getInt("freq_shift", d.freqShift),
        downTypes,
        // null is diffusers' "no mid block", which the constructor refuses by name
        c.isNull("mid_block_type") ? null : c.getString("mid_block_type", d.midBlockType),
        c.getStringList("up_block_types", d.upBlockTypes),
        c.getIntList("block_out_channels", d.blockOutChannels),
        c.getInt("layers_per_block", d.layersPerBlock),
        c.getInt("downsample_padding", d.downsamplePadding),
        c.getDouble("mid_block_scale_factor", d.midBlockScaleFactor),
        c.getString("act_fn", d.actFn),
        c.getInt("norm_num_groups", d.normNumGroups),
        c.getDouble("norm_eps", d.normEps),
        c.getInt("cross_attention_dim", d.crossAttentionDim),
        perBlock(
            c,
            "transformer_layers_per_block",
            downTypes.size(),
            d.transformerLayersPerBlock.get(0)),
        perBlock(c, "attention_head_dim", downTypes.size(), d.attentionHeadDim.get(0)),
        c.getBoolean("use_linear_projection", d.useLinearProjection),
        c.getBoolean("upcast_attention", d.upcastAttention),
        c.getInt("conv_in_kernel", d.convInKernel),
        c.getInt("conv_out_kernel", d.convOutKernel),
        c.getString("addition_embed_type", null),
        optionalInt(c, "addition_time_embed_dim"),
        optionalInt(c, "projection_class_embeddings_input_dim"));
  }

  private static Integer optionalInt(ConfigJson c, String key) {
    return c.has(key) ? Integer.valueOf(c.getInt(key, 0)) : null;
  }

  private static void checkSupported(ConfigJson c) {
    if (c.has("num_attention_heads")) {
      // UNet2DConditionModel.__init__ raises the same: the name is reserved for a future fix.
      throw new IllegalArgumentException(
          "num_attention_heads must be null: diffusers' UNet2DConditionModel refuses it and reads"
              + " the number of heads from attention_head_dim (diffusers issue 2011)");
    }
    for (Map.Entry<String, Object> entry : UNSUPPORTED_UNLESS.entrySet()) {
      JsonNode node = c.node(entry.getKey());
      if (node != null && !matches(node, entry.getValue())) {
        throw new IllegalArgumentException(
            "unsupported UNet config "
                + entry.getKey()
                + " = "
                + node
                + ": this port implements only "
                + entry.getKey()
                + " = "
                + entry.getValue()
                + " (Stable Diffusion 1.x/2.x/XL; class embeddings and other added conditionings"
                + " are not supported)");
      }
    }
  }

  private static boolean matches(JsonNode node, Object expected) {
    if (expected == null) {
      return node.isNull();
    }
    if (expected instanceof Boolean b) {
      return node.isBoolean() && node.asBoolean() == b;
    }
    if (expected instanceof Double number) {
      return node.isNumber() && node.asDouble() == number;
    }
    return node.isString() && node.asString().equals(expected);
  }

  /** An int repeated per block, or a per-block list, as diffusers accepts for this key. */
  private static List<Integer> perBlock(ConfigJson c, String key, int blocks, int fallback) {
    JsonNode node = c.node(key);
    if (node != null && node.isArray()) {
      return c.getIntList(key, List.of());
    }
    return Collections.nCopies(blocks, c.getInt(key, fallback));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
