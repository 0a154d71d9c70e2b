package dev.dti.diffusion.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.diffusion.unet.UNet2DConditionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStackBenchmarkTest {

  @Test
  void rewritesOnlyItsOwnSectionOfTheBenchmarksDocument(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("benchmarks.md");
    Files.writeString(
        doc,
        "# Benchmarks\n\n## Queue\n\nclaims/s 900\n\n"
            + ModelStackBenchmark.SECTION
            + "\n\nold numbers\n\n## VAE\n\ndecode 3 s\n");

    ModelStackBenchmark.writeSection(doc, ModelStackBenchmark.SECTION + "\n\nnew numbers\n");

    assertThat(Files.readString(doc))
        .isEqualTo(
            "# Benchmarks\n\n## Queue\n\nclaims/s 900\n\n"
                + ModelStackBenchmark.SECTION
                + "\n\nnew numbers\n\n## VAE\n\ndecode 3 s\n");
  }

  @Test
  void appendsTheSectionToADocumentWithoutIt(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("benchmarks.md");
    Files.writeString(doc, "# Benchmarks\n\n## Queue\n\nclaims/s 900\n");

    ModelStackBenchmark.writeSection(doc, ModelStackBenchmark.SECTION + "\n\nnumbers\n");

    assertThat(Files.readString(doc))
        .isEqualTo(
            "# Benchmarks\n\n## Queue\n\nclaims/s 900\n\n"
                + ModelStackBenchmark.SECTION
                + "\n\nnumbers\n");
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
