package dev.dti.diffusion.clip;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/**
 * The text encoder's {@code config.json}, with transformers' key names. Keys that do not change the
 * computation ({@code projection_dim}, dropout, initializer settings) are ignored.
 */
public record CLIPTextConfig(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int maxPositionEmbeddings,
    String hiddenAct,
    double layerNormEps,
    int bosTokenId,
    int eosTokenId,
    int padTokenId) {

  /**
   * The defaults of transformers' {@code CLIPTextConfig.__init__} (configuration_clip.py, v4.39),
   * used for every key a config.json leaves out. Stable Diffusion's text_encoder configs spell out
   * all architecture keys; their eos_token_id is the legacy 2 (see {@link #legacyPooling()}).
   */
  public static final CLIPTextConfig DEFAULTS =
      new CLIPTextConfig(49408, 512, 2048, 12, 8, 77, "quick_gelu", 1e-5, 49406, 49407, 1);

  public CLIPTextConfig {
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hiddenSize + " is not divisible by " + numAttentionHeads + " heads");
    }
    if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
      throw new IllegalArgumentException(
          "hidden_act '" + hiddenAct + "' is not supported (quick_gelu or gelu)");
    }
  }

  public static CLIPTextConfig read(Path configJson) throws IOException {
    if (!Files.isRegularFile(configJson)) {
      throw new IOException("Text encoder config " + configJson + " does not exist");
    }
    return fromJson(ConfigJson.read(configJson));
  }

  public static CLIPTextConfig fromJson(JsonNode json) {
    return fromJson(ConfigJson.of(json));
  }

  private static CLIPTextConfig fromJson(ConfigJson c) {
    CLIPTextConfig d = DEFAULTS;
    return new CLIPTextConfig(
        c.getInt("vocab_size", d.vocabSize),
        c.getInt("hidden_size", d.hiddenSize),
        c.getInt("intermediate_size", d.intermediateSize),
        c.getInt("num_hidden_layers", d.numHiddenLayers),
        c.getInt("num_attention_heads", d.numAttentionHeads),
        c.getInt("max_position_embeddings", d.maxPositionEmbeddings),
        c.getString("hidden_act", d.hiddenAct),
        c.getDouble("layer_norm_eps", d.layerNormEps),
        c.getInt("bos_token_id", d.bosTokenId),
        c.getInt("eos_token_id", d.eosTokenId),
        c.getInt("pad_token_id", d.padTokenId));
  }

  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /**
   * transformers (v4.39) pools at {@code argmax(input_ids)} when eos_token_id is the legacy 2 that
   * the SD 1.x/2.x configs carry (the eos id 49407 is then the largest id of a normal prompt), and
   * at the first eos position otherwise.
   */
  public boolean legacyPooling() {
    return eosTokenId == 2;
  }
}
