package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.support.Golden;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parity with diffusers 0.27.2 on the golden folder unet_sdxl_tiny: the SDXL layout
 * (addition_embed_type "text_time", transformer_layers_per_block [1, 2], heads [2, 4], linear
 * projections), random weights.
 */
class UNet2DConditionModelSdxlGoldenTest {

  private static final Path GOLDEN = Golden.dir("unet_sdxl_tiny");

  @Test
  void predictsTheSameNoiseAsDiffusersAndMatchesEveryIntermediateOfTheTextTimeChain()
      throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"));
        var outputs = SafetensorsFile.open(GOLDEN.resolve("outputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      Map<String, NDArray> intermediates = new LinkedHashMap<>();

      NDArray sample =
          unet.forward(
              inputs.load(manager, "sample"),
              inputs.load(manager, "timestep"),
              inputs.load(manager, "encoder_hidden_states"),
              inputs.load(manager, "text_embeds"),
              inputs.load(manager, "time_ids"),
              intermediates);

      NDArray expected = outputs.load(manager, "sample");
      assertThat(sample.getShape()).isEqualTo(expected.getShape());
      double error = maxAbsError(sample, expected);
      System.out.printf(
          "unet_sdxl_tiny sample: max |diff| %.3g (|values| <= %.3g)%n", error, maxAbs(expected));
      assertThat(error).isLessThanOrEqualTo(2e-5);

      assertThat(intermediates.keySet())
          .containsExactlyInAnyOrder(
              "time_proj",
              "time_embedding",
              "add_time_proj",
              "add_embeds",
              "add_embedding",
              "emb",
              "conv_in",
              "down_blocks.0",
              "down_blocks.1",
              "down_block_res_samples.0",
              "down_block_res_samples.1",
              "down_block_res_samples.2",
              "down_block_res_samples.3",
              "down_block_res_samples.4",
              "down_block_res_samples.5",
              "mid_block",
              "up_blocks.0",
              "up_blocks.1");
      for (Map.Entry<String, NDArray> entry : intermediates.entrySet()) {
        NDArray reference = outputs.load(manager, "intermediate." + entry.getKey());
        assertThat(entry.getValue().getShape()).as(entry.getKey()).isEqualTo(reference.getShape());
        double scale = Math.max(1, maxAbs(reference));
        double intermediateError = maxAbsError(entry.getValue(), reference);
        System.out.printf(
            "unet_sdxl_tiny %s: max |diff| %.3g (|values| <= %.3g)%n",
            entry.getKey(), intermediateError, maxAbs(reference));
        assertThat(intermediateError).as(entry.getKey()).isLessThanOrEqualTo(2e-5 * scale);
      }
    }
  }

  @Test
  void loadsAll428CheckpointTensorsUnderTheirDiffusersNamesWithNoneLeftOver() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var weights = SafetensorsFile.open(GOLDEN.resolve("diffusion_pytorch_model.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);

      assertThat(unet.parameters().keySet())
          .hasSize(428)
          .containsExactlyInAnyOrderElementsOf(weights.names());
      assertThat(unet.parameters().get("add_embedding.linear_1.weight").getShape().getShape())
          .containsExactly(128, 72);
      assertThat(unet.parameters())
          .containsKey("down_blocks.1.attentions.1.transformer_blocks.1.attn2.to_k.weight")
          .containsKey("mid_block.attentions.0.transformer_blocks.1.ff.net.2.weight")
          .containsKey("up_blocks.0.attentions.2.transformer_blocks.1.attn1.to_q.weight")
          .doesNotContainKey("up_blocks.0.attentions.2.transformer_blocks.2.attn1.to_q.weight");
      assertThat(unet.config().requiresAddedConditions()).isTrue();
      assertThat(unet.config().addedTextEmbedsDim()).isEqualTo(24);
    }
  }

  @Test
  void refusesACallWithoutTextEmbedsAndTimeIdsNamingWhatItNeeds() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      NDArray sample = inputs.load(manager, "sample");
      NDArray timestep = inputs.load(manager, "timestep");
      NDArray context = inputs.load(manager, "encoder_hidden_states");

      assertThatThrownBy(() -> unet.forward(sample, timestep, context))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "this is an SDXL UNet (addition_embed_type \"text_time\"): it needs text_embeds [B,"
                  + " 24] (the pooled output of text_encoder_2) and time_ids [B, 6] (original size,"
                  + " crop top-left, target size), got no text_embeds and no time_ids");
      NDArray textEmbeds = inputs.load(manager, "text_embeds");
      assertThatThrownBy(
              () ->
                  unet.forward(
                      sample, timestep, context, textEmbeds, inputs.load(manager, "sample")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "time_ids must be [2, 6] (original h, w, crop top, left, target h, w), got (2, 4, 8,"
                  + " 8)");
    }
  }

  @Test
  void anSd15UnetRefusesTextEmbedsAndTimeIds() throws Exception {
    Path sd15 = Golden.dir("unet_sd15_tiny");
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(sd15.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(sd15, manager);
      assertThat(unet.config().requiresAddedConditions()).isFalse();
      NDArray sample = inputs.load(manager, "sample");

      assertThatThrownBy(
              () ->
                  unet.forward(
                      sample,
                      inputs.load(manager, "timestep"),
                      inputs.load(manager, "encoder_hidden_states"),
                      manager.zeros(new ai.djl.ndarray.types.Shape(2, 24)),
                      manager.zeros(new ai.djl.ndarray.types.Shape(2, 6))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "this UNet has no added conditioning (addition_embed_type is null, as in Stable"
                  + " Diffusion 1.x/2.x): text_embeds and time_ids must not be given");
    }
  }

  private static double maxAbsError(NDArray actual, NDArray expected) {
    return actual.sub(expected).abs().max().getFloat();
  }

  private static double maxAbs(NDArray array) {
    return array.abs().max().getFloat();
  }
}
