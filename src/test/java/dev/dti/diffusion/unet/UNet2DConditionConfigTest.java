package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.support.Golden;
import org.junit.jupiter.api.Test;

class UNet2DConditionConfigTest {

  @Test
  void readsTheGoldenSd15TinyConfigWithAttentionHeadDimAsTheNumberOfHeads() throws Exception {
    var config = UNet2DConditionConfig.read(Golden.dir("unet_sd15_tiny").resolve("config.json"));

    assertThat(config.blockOutChannels()).containsExactly(16, 32, 32);
    assertThat(config.downBlockTypes())
        .containsExactly("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D");
    assertThat(config.upBlockTypes())
        .containsExactly("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D");
    assertThat(config.attentionHeadDim()).containsExactly(8, 8, 8);
    assertThat(config.attentionHeads(0)).isEqualTo(8);
    assertThat(config.crossAttentionDim()).isEqualTo(32);
    assertThat(config.normNumGroups()).isEqualTo(8);
    assertThat(config.sampleSize()).isEqualTo(16);
    assertThat(config.timeEmbedDim()).isEqualTo(64);
    assertThat(config.useLinearProjection()).isFalse();
  }

  @Test
  void fillsMissingKeysWithDiffusersDefaults() {
    var config = UNet2DConditionConfig.fromJson("{\"cross_attention_dim\": 768}");

    assertThat(config)
        .usingRecursiveComparison()
        .ignoringFields("crossAttentionDim")
        .isEqualTo(UNet2DConditionConfig.DIFFUSERS_DEFAULTS);
    assertThat(config.blockOutChannels()).containsExactly(320, 640, 1280, 1280);
    assertThat(config.attentionHeadDim()).containsExactly(8, 8, 8, 8);
  }

  @Test
  void readsAPerBlockAttentionHeadDimListAsSd2Does() {
    var config =
        UNet2DConditionConfig.fromJson(
            """
            {"attention_head_dim": [5, 10, 20, 20], "use_linear_projection": true,
             "upcast_attention": true, "cross_attention_dim": 1024, "num_attention_heads": null}
            """);

    assertThat(config.attentionHeadDim()).containsExactly(5, 10, 20, 20);
    assertThat(config.attentionHeads(2)).isEqualTo(20);
    assertThat(config.useLinearProjection()).isTrue();
    assertThat(config.upcastAttention()).isTrue();
  }

  @Test
  void readsTheGoldenSdxlTinyConfigWithTextTimeConditioningAndPerBlockTransformerDepth()
      throws Exception {
    var config = UNet2DConditionConfig.read(Golden.dir("unet_sdxl_tiny").resolve("config.json"));

    assertThat(config.additionEmbedType()).isEqualTo("text_time");
    assertThat(config.requiresAddedConditions()).isTrue();
    assertThat(config.additionTimeEmbedDim()).isEqualTo(8);
    assertThat(config.projectionClassEmbeddingsInputDim()).isEqualTo(72);
    assertThat(config.addedTextEmbedsDim()).isEqualTo(24);
    assertThat(config.transformerLayersPerBlock()).containsExactly(1, 2);
    assertThat(config.transformerLayers(1)).isEqualTo(2);
    assertThat(config.attentionHeadDim()).containsExactly(2, 4);
    assertThat(config.useLinearProjection()).isTrue();
    assertThat(config.timeEmbedDim()).isEqualTo(128);
  }

  @Test
  void repeatsAnIntegerTransformerLayersPerBlockForEveryBlockAndHasNoAddedConditionsByDefault() {
    var config = UNet2DConditionConfig.fromJson("{\"transformer_layers_per_block\": 2}");

    assertThat(config.transformerLayersPerBlock()).containsExactly(2, 2, 2, 2);
    assertThat(config.requiresAddedConditions()).isFalse();
    assertThat(config.additionEmbedType()).isNull();
  }

  @Test
  void refusesAdditionEmbedTypesOtherThanTextTimeWithASentence() {
    assertThatThrownBy(() -> UNet2DConditionConfig.fromJson("{\"addition_embed_type\": \"text\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unsupported UNet config addition_embed_type = \"text\": this port implements only"
                + " null (Stable Diffusion 1.x/2.x) and \"text_time\" (SDXL)");
    assertThatThrownBy(
            () -> UNet2DConditionConfig.fromJson("{\"addition_embed_type\": \"text_time\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "addition_embed_type \"text_time\" needs an even addition_time_embed_dim > 0, got"
                + " null");
  }

  @Test
  void refusesAReverseTransformerLayersPerBlock() {
    assertThatThrownBy(
            () ->
                UNet2DConditionConfig.fromJson(
                    "{\"reverse_transformer_layers_per_block\": [[1, 1, 1], [2, 2, 2]]}"))
        .hasMessageContaining("reverse_transformer_layers_per_block");
  }

  @Test
  void refusesClassEmbeddingsAndOtherUnimplementedSwitches() {
    assertThatThrownBy(() -> UNet2DConditionConfig.fromJson("{\"class_embed_type\": \"timestep\"}"))
        .hasMessageContaining("class_embed_type");
    assertThatThrownBy(
            () -> UNet2DConditionConfig.fromJson("{\"resnet_time_scale_shift\": \"scale_shift\"}"))
        .hasMessageContaining("resnet_time_scale_shift");
    assertThatThrownBy(() -> UNet2DConditionConfig.fromJson("{\"only_cross_attention\": true}"))
        .hasMessageContaining("only_cross_attention");
  }

  @Test
  void refusesNumAttentionHeadsAsDiffusersDoes() {
    assertThatThrownBy(() -> UNet2DConditionConfig.fromJson("{\"num_attention_heads\": 8}"))
        .hasMessageContaining("num_attention_heads must be null");
  }

  @Test
  void refusesPerBlockLayerCountsAndUnknownBlockTypes() {
    assertThatThrownBy(() -> UNet2DConditionConfig.fromJson("{\"layers_per_block\": [2, 2, 2, 2]}"))
        .hasMessageContaining("layers_per_block must be an integer");
    assertThatThrownBy(
            () ->
                UNet2DConditionConfig.fromJson(
                    "{\"mid_block_type\": \"UNetMidBlock2DSimpleCrossAttn\"}"))
        .hasMessageContaining("unsupported mid_block_type 'UNetMidBlock2DSimpleCrossAttn'");
    assertThatThrownBy(
            () ->
                UNet2DConditionConfig.fromJson(
                    "{\"down_block_types\": [\"AttnDownBlock2D\", \"DownBlock2D\"],"
                        + " \"up_block_types\": [\"UpBlock2D\", \"UpBlock2D\"],"
                        + " \"block_out_channels\": [32, 64]}"))
        .hasMessageContaining("unsupported down block type 'AttnDownBlock2D'");
  }

  @Test
  void refusesHeadsThatDoNotDivideTheChannels() {
    assertThatThrownBy(
            () ->
                UNet2DConditionConfig.fromJson(
                    "{\"block_out_channels\": [32, 64], \"norm_num_groups\": 8,"
                        + " \"down_block_types\": [\"CrossAttnDownBlock2D\", \"DownBlock2D\"],"
                        + " \"up_block_types\": [\"UpBlock2D\", \"CrossAttnUpBlock2D\"],"
                        + " \"attention_head_dim\": [3, 8]}"))
        .hasMessageContaining("is not divisible by its 3 attention heads");
  }
}
