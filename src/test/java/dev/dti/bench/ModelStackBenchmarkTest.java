package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModelStackBenchmarkTest {

  @Test
  void theSectionGivesTheRatioAndTheAchievedRateOfTheMedians() {
    var result =
        new ModelStackBenchmark.Result(
            123_060_480,
            859_520_964,
            60.0,
            new double[] {30, 20, 40},
            new double[] {50, 70, 44},
            13_000_000_000L,
            787_000_000_000L);

    String body = ModelStackBenchmark.body(result, 64, "9.00/8.00/7.00", "10.00/9.00/8.00");

    assertThat(body)
        .contains("| (a) forward, median of 3 | 30.00 s (runs: 30.00 s, 20.00 s, 40.00 s) |")
        .contains("| (b) forward + backward to the row, median of 3 | 50.00 s")
        .contains("| ratio (b)/(a) | **1.67** (goal ≤ 2.2;")
        .contains("| (b)/(a) within each round, in run order | 1.67, 3.50, 1.10 |")
        .contains("| FLOPs of one UNet forward (analytic, `UNetFlops`) | 787.0 GFLOP |")
        .contains("| achieved, (a) | 26.7 GFLOP/s (text encoder + UNet, 800.0 GFLOP in 30.00 s) |")
        .contains("before: 9.00/8.00/7.00, after: 10.00/9.00/8.00");
  }

  @Test
  void countsTheTextEncodersLinearLayersAndAttentionMatmuls() {
    // ViT-L text tower at 77 tokens: per layer q, k, v, out (4·77·768²), scores and mix
    // (2·77²·768) and the MLP (2·77·768·3072) multiply-adds, 2 FLOPs each, 12 layers.
    long perLayer = 2 * (4L * 77 * 768 * 768 + 2L * 77 * 77 * 768 + 2L * 77 * 768 * 3072);

    assertThat(CLIPTextFlops.forward(ModelStackBenchmark.VIT_L_TEXT, 1, 77))
        .isEqualTo(12 * perLayer);
    assertThat(CLIPTextFlops.forward(ModelStackBenchmark.VIT_L_TEXT, 2, 77))
        .isEqualTo(24 * perLayer);
  }

  @Test
  void thePromptCarriesThePlaceholderOnceAndIsPaddedWithEndOfText() {
    try (NDManager manager = NDManager.newBaseManager()) {
      long[] ids = ModelStackBenchmark.promptIds(manager).toLongArray();

      assertThat(ids).hasSize(77);
      assertThat(Arrays.stream(ids).filter(id -> id == ModelStackBenchmark.PLACEHOLDER).count())
          .isEqualTo(1);
      assertThat(ids[0]).isEqualTo(49406);
      assertThat(ids[76]).isEqualTo(49407);
    }
  }

  @Test
  void countsTwoFlopsPerMultiplyAddOfASingleResnetLevelUNet() {
    // One DownBlock2D/UpBlock2D level of 8 channels on 4×4 latents, 2 input channels: no attention,
    // no resampling. time MLP 8→32→32; conv_in 2→8; down resnet 8→8; mid resnet, transformer,
    // resnet at 8 channels; up resnets (8+8)→8 ×2; conv_out 8→2.
    var config =
        UNet2DConditionConfig.fromJson(
            """
            {"block_out_channels": [8], "down_block_types": ["DownBlock2D"],
             "up_block_types": ["UpBlock2D"], "layers_per_block": 1, "norm_num_groups": 4,
             "in_channels": 2, "out_channels": 2, "cross_attention_dim": 6, "attention_head_dim": 2}
            """);
    long hw = 16;
    long time = 2 * (8 * 32 + 32 * 32);
    long conv3 = 2 * 8 * 8 * 9 * hw; // 8→8 3×3
    long resnet = 2 * conv3 + 2 * 32 * 8;
    long wideResnet = 2 * 16 * 8 * 9 * hw + conv3 + 2 * 32 * 8 + 2 * 16 * 8 * hw;
    long tokens = 77;
    long transformer =
        2 * 8 * 8 * hw // proj_in
            + 4 * 2 * 8 * 8 * hw // attn1 q k v out
            + 2 * 2 * hw * hw * 8 // attn1 scores and mix
            + 2 * 2 * 8 * 8 * hw // attn2 q out
            + 2 * 2 * 6 * 8 * tokens // attn2 k v
            + 2 * 2 * hw * tokens * 8 // attn2 scores and mix
            + 2 * 8 * 64 * hw // GEGLU proj
            + 2 * 32 * 8 * hw // ff out
            + 2 * 8 * 8 * hw; // proj_out
    long convInOut = 2 * (2 * 2 * 8 * 9 * hw);

    long expected = time + convInOut + resnet + (resnet + transformer + resnet) + 2 * wideResnet;

    assertThat(UNetFlops.forward(config, 1, 4, 4, tokens)).isEqualTo(expected);
    assertThat(UNetFlops.forward(config, 3, 4, 4, tokens)).isEqualTo(3 * expected);
  }
}
