package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.support.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DConditionModelLoadingTest {

  private static final Path GOLDEN = Golden.dir("unet_sd15_tiny");

  @Test
  void loadsHalfPrecisionWeightsFromThePipelineUnetFolderAsFloat32(@TempDir Path pipeline)
      throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      writePipeline(
          pipeline,
          "diffusion_pytorch_model.fp16.safetensors",
          manager,
          tensors -> {
            tensors.replaceAll((name, t) -> t.toType(DataType.FLOAT16, false));
            return tensors;
          });

      UNet2DConditionModel unet = UNet2DConditionModel.load(pipeline, manager);

      NDArray convIn = unet.parameters().get("conv_in.weight");
      assertThat(convIn.getDataType()).isEqualTo(DataType.FLOAT32);
      NDArray original = goldenTensor(manager, "conv_in.weight");
      assertThat(convIn.sub(original).abs().max().getFloat()).isPositive().isLessThan(2e-3f);
    }
  }

  @Test
  void namesAMissingTensor(@TempDir Path pipeline) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      writePipeline(
          pipeline,
          "diffusion_pytorch_model.safetensors",
          manager,
          tensors -> {
            tensors.remove("mid_block.attentions.0.transformer_blocks.0.attn2.to_v.weight");
            return tensors;
          });

      assertThatThrownBy(() -> UNet2DConditionModel.load(pipeline, manager))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "is missing tensor 'mid_block.attentions.0.transformer_blocks.0.attn2.to_v.weight'")
          .hasMessageContaining("(expected shape (32, 32))");
    }
  }

  @Test
  void namesATensorOfTheWrongShape(@TempDir Path pipeline) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      writePipeline(
          pipeline,
          "diffusion_pytorch_model.safetensors",
          manager,
          tensors -> {
            tensors.put(
                "up_blocks.1.attentions.0.proj_in.weight",
                tensors.get("up_blocks.1.attentions.0.proj_in.weight").reshape(32, 32));
            return tensors;
          });

      assertThatThrownBy(() -> UNet2DConditionModel.load(pipeline, manager))
          .hasMessageContaining("'up_blocks.1.attentions.0.proj_in.weight'")
          .hasMessageContaining("has shape (32, 32), expected (32, 32, 1, 1)");
    }
  }

  @Test
  void refusesCheckpointTensorsTheConfigDoesNotUse(@TempDir Path pipeline) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      writePipeline(
          pipeline,
          "diffusion_pytorch_model.safetensors",
          manager,
          tensors -> {
            tensors.put("class_embedding.linear_1.weight", tensors.get("conv_in.bias"));
            return tensors;
          });

      assertThatThrownBy(() -> UNet2DConditionModel.load(pipeline, manager))
          .hasMessageContaining("has 1 tensors that")
          .hasMessageContaining("does not describe")
          .hasMessageContaining("class_embedding.linear_1.weight");
    }
  }

  @Test
  void saysWhichFilesAreMissingFromAFolderWithoutAUnet(@TempDir Path empty) {
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> UNet2DConditionModel.load(empty, manager))
          .hasMessageContaining("No UNet config")
          .hasMessageContaining("unet/config.json");
    }
  }

  private static void writePipeline(
      Path pipeline,
      String weightsName,
      NDManager manager,
      UnaryOperator<Map<String, NDArray>> edit)
      throws Exception {
    Path unet = Files.createDirectories(pipeline.resolve("unet"));
    Files.copy(GOLDEN.resolve("config.json"), unet.resolve("config.json"));
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    try (var file = SafetensorsFile.open(GOLDEN.resolve("diffusion_pytorch_model.safetensors"))) {
      for (String name : file.names()) {
        tensors.put(name, file.load(manager, name));
      }
    }
    SafetensorsWriter.write(unet.resolve(weightsName), edit.apply(tensors), Map.of("format", "pt"));
  }

  private static NDArray goldenTensor(NDManager manager, String name) throws Exception {
    try (var file = SafetensorsFile.open(GOLDEN.resolve("diffusion_pytorch_model.safetensors"))) {
      return file.load(manager, name);
    }
  }
}
