package dev.dti.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.support.Golden;
import dev.dti.support.MaxAbsError;
import dev.dti.support.TinyModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StableDiffusionModelTest {

  @Test
  void loadsEveryComponentAndNamesTheModelByTheHashOfItsWeights(
      @TempDir Path first, @TempDir Path second) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model =
          StableDiffusionModel.load(TinyModelFolder.create(first), manager);
      StableDiffusionModel copy =
          StableDiffusionModel.load(TinyModelFolder.create(second), manager);

      assertThat(model.id()).matches("[0-9a-f]{64}").isEqualTo(copy.id());
      assertThat(model.vae().scalingFactor()).isEqualTo(0.18215);
      assertThat(model.schedulerConfig().stepsOffset()).isEqualTo(1);
      assertThat(model.schedulerConfig().timestepSpacing()).isEqualTo("leading");
      assertThat(model.tokenizer().encodePadded("a photo of a cat")).hasSize(16).startsWith(998);
    }
  }

  @Test
  void halfPrecisionWeightsLoadUnderTheirVariantNameWithAnotherId(@TempDir Path dir)
      throws Exception {
    TinyModelFolder.create(dir);
    try (NDManager manager = NDManager.newBaseManager()) {
      String fp32Id = StableDiffusionModel.load(dir, manager).id();
      Path vae = dir.resolve("vae/diffusion_pytorch_model.safetensors");
      Map<String, NDArray> half = new LinkedHashMap<>();
      try (var file = SafetensorsFile.open(vae)) {
        for (String name : file.names()) {
          half.put(name, file.load(manager, name).toType(DataType.FLOAT16, false));
        }
      }
      SafetensorsWriter.write(
          dir.resolve("vae/diffusion_pytorch_model.fp16.safetensors"), half, null);
      Files.delete(vae);

      StableDiffusionModel model = StableDiffusionModel.load(dir, manager);

      assertThat(model.id()).isNotEqualTo(fp32Id);
      try (var inputs = SafetensorsFile.open(Golden.dir("vae_tiny").resolve("inputs.safetensors"));
          var outputs =
              SafetensorsFile.open(Golden.dir("vae_tiny").resolve("outputs.safetensors"))) {
        NDArray decoded = model.vae().decode(inputs.load(manager, "latent"));
        double error = MaxAbsError.of(decoded, outputs.load(manager, "decoded_sample"));
        System.out.printf("fp16 vae decode max abs error vs fp32 golden: %.3g%n", error);
        assertThat(error).isLessThan(0.05);
      }
    }
  }

  @Test
  void aMissingFileIsNamed(@TempDir Path dir) throws Exception {
    TinyModelFolder.create(dir);
    Files.delete(dir.resolve("tokenizer/merges.txt"));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> StableDiffusionModel.load(dir, manager))
          .hasMessageContaining("tokenizer/merges.txt");
    }
  }

  @Test
  void aMissingTensorIsNamed(@TempDir Path dir) throws Exception {
    TinyModelFolder.create(dir);
    Path weights = dir.resolve("vae/diffusion_pytorch_model.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> kept = new LinkedHashMap<>();
      try (var file = SafetensorsFile.open(weights)) {
        for (String name : file.names()) {
          if (!name.equals("decoder.conv_out.bias")) {
            kept.put(name, file.load(manager, name));
          }
        }
      }
      SafetensorsWriter.write(weights, kept, null);

      assertThatThrownBy(() -> StableDiffusionModel.load(dir, manager))
          .hasMessageContaining("missing tensor 'decoder.conv_out.bias'");
    }
  }

  @Test
  void aComponentOfAnUnsupportedClassIsRefused(@TempDir Path dir) throws Exception {
    TinyModelFolder.create(dir);
    Path index = dir.resolve(ModelIndex.FILE);
    Files.writeString(
        index, Files.readString(index).replace("\"AutoencoderKL\"", "\"AutoencoderTiny\""));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> StableDiffusionModel.load(dir, manager))
          .hasMessageContaining("'vae' is a AutoencoderTiny");
    }
  }

  @Test
  void anSdxlIndexWithoutTheSecondTokenizerIsRefusedWithASentence(@TempDir Path dir)
      throws Exception {
    Path index = copyIndexOnly(dir);
    Files.writeString(
        index,
        Files.readString(index)
            .replaceAll("\"tokenizer_2\": \\[[^\\]]*\\]", "\"tokenizer_2\": [null, null]"));
    assertThatThrownBy(() -> ModelIndex.read(dir))
        .hasMessageContaining("names no class for component 'tokenizer_2'");
  }

  @Test
  void nullOptionalComponentsOfAnSdxlIndexAreAccepted(@TempDir Path dir) throws Exception {
    copyIndexOnly(dir);
    ModelIndex index = ModelIndex.read(dir);
    assertThat(index.pipelineClass()).isEqualTo(ModelIndex.SDXL_PIPELINE);
    assertThat(index.hasSecondTextEncoder()).isTrue();
    assertThat(index.forceZerosForEmptyPrompt()).isTrue();
    assertThat(index.componentClasses())
        .containsEntry("text_encoder_2", "CLIPTextModelWithProjection")
        .doesNotContainKeys("image_encoder", "feature_extractor");
  }

  @Test
  void anSdUnetUnderAnSdxlIndexIsRefusedBeforeAnyWeightIsRead(@TempDir Path dir) throws Exception {
    TinyModelFolder.create(dir);
    Path index = dir.resolve(ModelIndex.FILE);
    Files.writeString(
        index,
        Files.readString(index)
            .replace(
                "\"text_encoder\":",
                "\"text_encoder_2\": [\"transformers\", \"CLIPTextModelWithProjection\"],"
                    + " \"tokenizer_2\": [\"transformers\", \"CLIPTokenizer\"],"
                    + " \"text_encoder\":")
            .replace("StableDiffusionPipeline", ModelIndex.SDXL_PIPELINE));
    for (String folder : List.of("text_encoder", "tokenizer")) {
      Path copy = Files.createDirectories(dir.resolve(folder + "_2"));
      try (var files = Files.list(dir.resolve(folder))) {
        for (Path file : files.toList()) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
    }
    assertThatThrownBy(() -> StableDiffusionModel.check(dir))
        .hasMessageContaining("names text_encoder_2 but the UNet has no text_time");
  }

  private static Path copyIndexOnly(Path dir) throws Exception {
    return Files.copy(
        Golden.dir("sdxl_pipeline_tiny").resolve(ModelIndex.FILE), dir.resolve(ModelIndex.FILE));
  }
}
