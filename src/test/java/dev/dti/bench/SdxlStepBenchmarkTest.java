package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.clip.CLIPTextModelWithProjectionConfig;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class SdxlStepBenchmarkTest {

  private static final UNet2DConditionConfig SDXL =
      UNet2DConditionConfig.fromJson(SdxlStepBenchmark.SDXL_UNET_CONFIG);

  @Test
  void theBenchmarkBuildsSdxlBasesUnetLayout() {
    assertThat(SDXL.transformerLayersPerBlock()).containsExactly(1, 2, 10);
    assertThat(SDXL.attentionHeadDim()).containsExactly(5, 10, 20);
    assertThat(SDXL.requiresAddedConditions()).isTrue();
    assertThat(SDXL.addedTextEmbedsDim()).isEqualTo(1280);
    assertThat(SDXL.timeEmbedDim()).isEqualTo(1280);
  }

  @Test
  void savedAttentionCountsTenLayersAtHalfAndSixtyAtQuarterResolution() {
    // 128×128 latent: 10 layers × 10 heads × 4096² and 60 layers × 20 heads × 1024², float32.
    long expected = 10L * 10 * 4096 * 4096 * 4 + 60L * 20 * 1024 * 1024 * 4;

    assertThat(SdxlStepBenchmark.savedAttentionBytes(SDXL, 128)).isEqualTo(11_744_051_200L);
    assertThat(SdxlStepBenchmark.savedAttentionBytes(SDXL, 128)).isEqualTo(expected);
    assertThat(SdxlStepBenchmark.largestAttentionBytes(SDXL, 128)).isEqualTo(671_088_640L);
    assertThat(SdxlStepBenchmark.savedAttentionBytes(SDXL, 32)).isEqualTo(expected / 256);
  }

  @Test
  void thePredictionScalesTheMeasuredNonAttentionPartByPixels() {
    long gib = 1L << 30;
    long attention32 =
        SdxlStepBenchmark.savedAttentionBytes(SDXL, 32)
            + 2 * SdxlStepBenchmark.largestAttentionBytes(SDXL, 32);
    long measured = attention32 + gib;

    long predicted64 = SdxlStepBenchmark.predictBackwardActivations(SDXL, 64, 32, measured);

    long attention64 =
        SdxlStepBenchmark.savedAttentionBytes(SDXL, 64)
            + 2 * SdxlStepBenchmark.largestAttentionBytes(SDXL, 64);
    assertThat(predicted64).isEqualTo(attention64 + 4 * gib);
  }

  @Test
  void runsTheStepOnATinySdxlLayoutWithGradientsToBothRowsAndReadsThePeakMemory() {
    UNet2DConditionConfig tiny =
        UNet2DConditionConfig.fromJson(
            """
            {"block_out_channels": [32, 64], "layers_per_block": 1,
             "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"],
             "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
             "transformer_layers_per_block": [1, 2], "attention_head_dim": [2, 4],
             "cross_attention_dim": 56, "addition_embed_type": "text_time",
             "addition_time_embed_dim": 8, "projection_class_embeddings_input_dim": 72,
             "use_linear_projection": true, "norm_num_groups": 8}
            """);
    var clipL = new CLIPTextConfig(49408, 32, 64, 2, 2, 77, "quick_gelu", 1e-5, 0, 2, 1);
    var clipG =
        new CLIPTextModelWithProjectionConfig(
            new CLIPTextConfig(49408, 24, 48, 3, 2, 77, "gelu", 1e-5, 0, 2, 1), 24);

    var result = SdxlStepBenchmark.run(tiny, clipL, clipG, List.of(8, 16));

    assertThat(result.unetParameters()).isPositive();
    assertThat(result.clipGParameters()).isGreaterThan(49408L * 24);
    assertThat(result.sizes()).extracting(SdxlStepBenchmark.Size::latent).containsExactly(8, 16);
    for (var size : result.sizes()) {
      assertThat(size.skipped()).isNull();
      assertThat(size.forwardSeconds()).isPositive();
      assertThat(size.backwardSeconds())
          .isPositive(); // the run checks both row gradients are non-zero
      assertThat(size.backwardPeak()).isGreaterThanOrEqualTo(result.rssWeights() / 2);
    }
  }

  @Test
  void theSectionNamesEverySizeAndSaysWhyASizeWasNotRun() {
    long gib = 1L << 30;
    var result =
        new SdxlStepBenchmark.Result(
            123_060_480,
            694_659_840,
            2_567_463_684L,
            42.0,
            gib / 2,
            14 * gib,
            24 * gib,
            List.of(
                new SdxlStepBenchmark.Size(
                    32, 20 * gib, 10.0, 15 * gib, 16 * gib, 25.0, 16 * gib, null, 400_000_000_000L),
                new SdxlStepBenchmark.Size(
                    128,
                    9 * gib,
                    200.0,
                    16 * gib,
                    40 * gib,
                    null,
                    null,
                    "forward + backward predicted to peak at ≈ 40.0 GiB",
                    6_000_000_000_000L)));

    String body =
        SdxlStepBenchmark.body(result, List.of(32, 128), "1.00/1.00/1.00", "2.00/2.00/2.00");

    assertThat(body)
        .contains("`dev.dti.bench.SdxlStepBenchmark --latents 32,128 --doc docs/benchmarks.md`")
        .contains(
            "| parameters | UNet 2,567,463,684; text_encoder (CLIP-L) 123,060,480; text_encoder_2"
                + " (bigG + projection) 694,659,840; total 3,385,184,004 |")
        .contains("UNet 10.27 GB + encoders 3.27 GB = 13.54 GB")
        .contains(
            "| 32×32 (256 px) | 20.00 GiB | 10.0 s | 15.00 GiB | 25.0 s | 16.00 GiB | 2.00 GiB"
                + " (predicted 2.00) | **2.50** | 400 GFLOP |")
        .contains(
            "| 128×128 (1024 px) | 9.00 GiB | 200.0 s | 16.00 GiB | not run | — | predicted ≈ 26.0"
                + " GiB | — | 6000 GFLOP |")
        .contains("Not run at 128×128: forward + backward predicted to peak at ≈ 40.0 GiB.");
  }
}
