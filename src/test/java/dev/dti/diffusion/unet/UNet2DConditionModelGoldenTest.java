package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.support.Golden;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parity with diffusers 0.27.2 on the golden folder unet_sd15_tiny (random weights). */
class UNet2DConditionModelGoldenTest {

  private static final Path GOLDEN = Golden.dir("unet_sd15_tiny");

  @Test
  void predictsTheSameNoiseAsDiffusersWithinTwoTimesTenToTheMinusFive() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"));
        var outputs = SafetensorsFile.open(GOLDEN.resolve("outputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      NDArray timestep = inputs.load(manager, "timestep");
      assertThat(timestep.getDataType()).isEqualTo(DataType.INT64);
      Map<String, NDArray> intermediates = new LinkedHashMap<>();

      NDArray sample =
          unet.forward(
              inputs.load(manager, "sample"),
              timestep,
              inputs.load(manager, "encoder_hidden_states"),
              intermediates);

      NDArray expected = outputs.load(manager, "sample");
      assertThat(sample.getShape()).isEqualTo(expected.getShape());
      double error = maxAbsError(sample, expected);
      System.out.printf(
          "unet_sd15_tiny sample: max |diff| %.3g (|values| <= %.3g)%n", error, maxAbs(expected));
      assertThat(error).isLessThanOrEqualTo(2e-5);

      for (Map.Entry<String, NDArray> entry : intermediates.entrySet()) {
        if (entry.getKey().startsWith("down_block_res_samples.")) {
          continue; // the skips are not in this golden (unet_sdxl_tiny checks them)
        }
        NDArray reference = outputs.load(manager, "intermediate." + entry.getKey());
        assertThat(entry.getValue().getShape()).as(entry.getKey()).isEqualTo(reference.getShape());
        double scale = Math.max(1, maxAbs(reference));
        double intermediateError = maxAbsError(entry.getValue(), reference);
        System.out.printf(
            "unet_sd15_tiny %s: max |diff| %.3g (|values| <= %.3g)%n",
            entry.getKey(), intermediateError, maxAbs(reference));
        assertThat(intermediateError).as(entry.getKey()).isLessThanOrEqualTo(2e-5 * scale);
      }
      assertThat(intermediates)
          .containsOnlyKeys(
              "conv_in",
              "time_proj",
              "time_embedding",
              "down_blocks.0",
              "down_blocks.1",
              "down_blocks.2",
              "down_block_res_samples.0",
              "down_block_res_samples.1",
              "down_block_res_samples.2",
              "down_block_res_samples.3",
              "down_block_res_samples.4",
              "down_block_res_samples.5",
              "down_block_res_samples.6",
              "down_block_res_samples.7",
              "down_block_res_samples.8",
              "mid_block",
              "up_blocks.0",
              "up_blocks.1",
              "up_blocks.2");
    }
  }

  @Test
  void loadsEveryCheckpointTensorUnderItsDiffusersName() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var weights = SafetensorsFile.open(GOLDEN.resolve("diffusion_pytorch_model.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      assertThat(unet.parameters().keySet())
          .hasSize(494)
          .containsExactlyInAnyOrderElementsOf(weights.names());
      assertThat(unet.parameters())
          .containsKey("down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight")
          .containsKey("up_blocks.0.upsamplers.0.conv.weight")
          .containsKey("down_blocks.1.downsamplers.0.conv.weight");
    }
  }

  static double maxAbsError(NDArray actual, NDArray expected) {
    return actual.sub(expected).abs().max().getFloat();
  }

  static double maxAbs(NDArray array) {
    return array.abs().max().getFloat();
  }
}
