package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.Attention;
import dev.dti.diffusion.nn.Init;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.nn.Parameters;
import dev.dti.diffusion.nn.Scalars;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SD 2.x switches the golden (SD 1.x-shaped) does not cover, checked against what diffusers 0.27.2
 * builds from the same config: SD 2's layout scaled down (block_out_channels 320/640/1280/1280 →
 * 16/32/64/64, attention_head_dim [5, 10, 20, 20] → [2, 4, 8, 8], so head_dim is 8 throughout as it
 * is 64 in SD 2).
 */
class StableDiffusion2SwitchesTest {

  static final String SD2_TINY =
      """
      {"block_out_channels": [16, 32, 64, 64], "norm_num_groups": 8, "cross_attention_dim": 24,
       "attention_head_dim": [2, 4, 8, 8], "use_linear_projection": true, "upcast_attention": true,
       "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                            "DownBlock2D"],
       "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                          "CrossAttnUpBlock2D"],
       "sample_size": 8}
      """;

  @Test
  void linearProjectionMakesProjInAndProjOutLinearWeightsOfShapeCByC() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> weights = build(manager).parameters();

      assertThat(weights.get("down_blocks.0.attentions.0.proj_in.weight").getShape())
          .isEqualTo(new Shape(16, 16));
      assertThat(weights.get("down_blocks.2.attentions.1.proj_out.weight").getShape())
          .isEqualTo(new Shape(64, 64));
      assertThat(weights.get("mid_block.attentions.0.proj_in.weight").getShape())
          .isEqualTo(new Shape(64, 64));
      assertThat(weights.get("up_blocks.3.attentions.2.proj_out.weight").getShape())
          .isEqualTo(new Shape(16, 16));
      assertThat(weights.get("up_blocks.3.attentions.2.proj_out.bias").getShape())
          .isEqualTo(new Shape(16));
    }
  }

  @Test
  void headsPerBlockComeFromTheAttentionHeadDimListAndHeadDimIsChannelsOverHeads() {
    try (NDManager manager = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = build(manager);

      assertThat(heads(((CrossAttnDownBlock2D) unet.downBlocks().get(0)).attentions().get(0)))
          .containsExactly(2, 8);
      assertThat(heads(((CrossAttnDownBlock2D) unet.downBlocks().get(1)).attentions().get(1)))
          .containsExactly(4, 8);
      assertThat(heads(((CrossAttnDownBlock2D) unet.downBlocks().get(2)).attentions().get(0)))
          .containsExactly(8, 8);
      assertThat(heads(unet.midBlock().attention())).containsExactly(8, 8);
      // Up block i mirrors down block (n - 1 - i): diffusers' reversed_num_attention_heads.
      assertThat(heads(((CrossAttnUpBlock2D) unet.upBlocks().get(1)).attentions().get(2)))
          .containsExactly(8, 8);
      assertThat(heads(((CrossAttnUpBlock2D) unet.upBlocks().get(2)).attentions().get(0)))
          .containsExactly(4, 8);
      assertThat(heads(((CrossAttnUpBlock2D) unet.upBlocks().get(3)).attentions().get(0)))
          .containsExactly(2, 8);
      Attention attn2 =
          ((CrossAttnUpBlock2D) unet.upBlocks().get(3))
              .attentions()
              .get(0)
              .transformerBlocks()
              .get(0)
              .attn2();
      assertThat(attn2.upcastAttention()).isTrue();
    }
  }

  @Test
  void upBlockResnetsTakeTheRunningStatePlusTheSkipChannels() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> weights = build(manager).parameters();

      // As SD 2's up_blocks.1.resnets.2.conv1.weight is [1280, 1920, 3, 3] (1280 + 640 skip).
      assertThat(weights.get("up_blocks.1.resnets.2.conv1.weight").getShape())
          .isEqualTo(new Shape(64, 96, 3, 3));
      assertThat(weights.get("up_blocks.3.resnets.0.conv_shortcut.weight").getShape())
          .isEqualTo(new Shape(16, 48, 1, 1));
      assertThat(weights.get("up_blocks.3.resnets.2.conv1.weight").getShape())
          .isEqualTo(new Shape(16, 32, 3, 3));
      assertThat(weights).doesNotContainKey("up_blocks.3.upsamplers.0.conv.weight");
      assertThat(
              weights
                  .get("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight")
                  .getShape())
          .isEqualTo(new Shape(16, 24));
      assertThat(weights)
          .doesNotContainKey("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.bias");
      assertThat(
              weights
                  .get("down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight")
                  .getShape())
          .isEqualTo(new Shape(128, 16));
    }
  }

  @Test
  void predictsNoiseOfTheSampleShapeAt8By8Latents() {
    try (NDManager manager = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = build(manager);
      NDArray sample = manager.randomNormal(new Shape(2, 4, 8, 8));
      NDArray text = manager.randomNormal(new Shape(2, 5, 24));

      NDArray noise = unet.forward(sample, manager.create(new long[] {1, 500}), text);

      assertThat(noise.getShape()).isEqualTo(new Shape(2, 4, 8, 8));
      assertThat(noise.isNaN().any().getBoolean()).isFalse();
    }
  }

  @Test
  void upcastAttentionKeepsHalfPrecisionOutputsCloseToFloat32() {
    try (NDManager manager = NDManager.newBaseManager()) {
      var upcast =
          new Attention(new InitializedParameters(manager, 7).sub("a"), 16, 24, 2, 8, true);
      var halfUpcast =
          new Attention(
              halfPrecision(new InitializedParameters(manager, 7)).sub("a"), 16, 24, 2, 8, true);
      NDArray x = manager.randomNormal(new Shape(1, 6, 16));
      NDArray context = manager.randomNormal(new Shape(1, 5, 24));

      NDArray reference = upcast.forward(x, context);
      NDArray half = halfUpcast.forward(half(x), half(context));

      assertThat(half.getDataType()).isEqualTo(DataType.FLOAT16);
      assertThat(half.toType(DataType.FLOAT32, false).sub(reference).abs().max().getFloat())
          .isLessThan(0.01f);
    }
  }

  @Test
  void upcastAttentionAvoidsTheHalfPrecisionScoreOverflowItExistsFor() {
    try (NDManager manager = NDManager.newBaseManager()) {
      var upcast =
          new Attention(
              halfPrecision(new InitializedParameters(manager, 7)).sub("a"), 16, 24, 2, 8, true);
      var plain =
          new Attention(
              halfPrecision(new InitializedParameters(manager, 7)).sub("a"), 16, 24, 2, 8, false);
      // q and k entries of a few hundred: q·kᵀ·8^-½ exceeds float16's 65504.
      NDArray x = half(manager.randomNormal(new Shape(1, 6, 16)).mul(400));
      NDArray context = half(manager.randomNormal(new Shape(1, 5, 24)).mul(400));

      assertThat(finite(upcast.forward(x, context))).isTrue();
      assertThat(finite(plain.forward(x, context))).isFalse();
    }
  }

  private static NDArray half(NDArray x) {
    return x.toType(DataType.FLOAT16, false);
  }

  private static boolean finite(NDArray x) {
    NDArray values = x.toType(DataType.FLOAT32, false);
    return !values.isNaN().any().getBoolean() && !values.isInfinite().any().getBoolean();
  }

  private static UNet2DConditionModel build(NDManager manager) {
    return new UNet2DConditionModel(
        UNet2DConditionConfig.fromJson(SD2_TINY), new InitializedParameters(manager, 1));
  }

  /** The same weights, handed out as float16. */
  private static Parameters halfPrecision(Parameters source) {
    return new Parameters() {
      @Override
      public NDArray get(String name, Shape shape, Init init) {
        return source.get(name, shape, init).toType(DataType.FLOAT16, false);
      }

      @Override
      public boolean has(String name) {
        return source.has(name);
      }

      @Override
      public Map<String, NDArray> all() {
        return source.all();
      }

      @Override
      public NDManager manager() {
        return source.manager();
      }

      @Override
      public Scalars scalars() {
        return source.scalars();
      }
    };
  }

  private static long[] heads(Transformer2DModel transformer) {
    Attention attn1 = transformer.transformerBlocks().get(0).attn1();
    Attention attn2 = transformer.transformerBlocks().get(0).attn2();
    assertThat(attn2.heads()).isEqualTo(attn1.heads());
    return new long[] {attn1.heads(), attn1.headDim()};
  }
}
