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
}
