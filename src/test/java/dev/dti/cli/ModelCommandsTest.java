package dev.dti.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.Commands;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.support.Golden;
import dev.dti.support.MaxAbsError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code model run} in-process on each golden folder and compares with outputs.safetensors.
 */
class ModelCommandsTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final ModelCommands command =
      new ModelCommands(new PrintStream(printed, true, StandardCharsets.UTF_8));

  private void assertRunMatchesGolden(
      String folder, String component, List<String> outputNames, double limit, Path dir)
      throws Exception {
    Path golden = Golden.dir(folder);
    Path out = dir.resolve(component + ".safetensors");

    int exit =
        command.run(
            new String[] {
              "run",
              "--dir",
              golden.toString(),
              "--component",
              component,
              "--inputs",
              golden.resolve("inputs.safetensors").toString(),
              "--out",
              out.toString()
            });

    assertThat(exit).isZero();
    try (NDManager manager = NDManager.newBaseManager();
        var actual = SafetensorsFile.open(out);
        var expected = SafetensorsFile.open(golden.resolve("outputs.safetensors"))) {
      assertThat(actual.names()).containsExactlyInAnyOrderElementsOf(outputNames);
      for (String name : outputNames) {
        NDArray value = actual.load(manager, name);
        if (value.getDataType().isInteger()) {
          assertThat(value.toLongArray())
              .as(name)
              .containsExactly(expected.load(manager, name).toLongArray());
          continue;
        }
        double error = MaxAbsError.of(value, expected.load(manager, name));
        System.out.printf("model run %s: %s max abs error %.3g%n", component, name, error);
        assertThat(error).as(name).isLessThanOrEqualTo(limit);
      }
    }
  }

  @Test
  void textEncoderWritesTheHiddenStatesAndPooledOutputOfTheGoldenIds(@TempDir Path dir)
      throws Exception {
    assertRunMatchesGolden(
        "clip_text",
        "text_encoder",
        List.of("last_hidden_state", "penultimate_hidden_state", "pooler_output", "hidden_states"),
        1e-5,
        dir);
  }

  @Test
  void textEncoder2WritesPenultimateStateTextEmbedsAndPooledIndexOfTheGoldenIds(@TempDir Path dir)
      throws Exception {
    assertRunMatchesGolden(
        "clip_text_projection",
        "text_encoder_2",
        List.of(
            "last_hidden_state",
            "penultimate_hidden_state",
            "pooler_output",
            "text_embeds",
            "hidden_states",
            "pooled_index"),
        1e-5,
        dir);
  }

  @Test
  void unetWritesTheNoisePredictionOfTheGoldenSample(@TempDir Path dir) throws Exception {
    assertRunMatchesGolden("unet_sd15_tiny", "unet", List.of("sample"), 2e-5, dir);
  }

  @Test
  void unetOfAnSdxlFolderReadsTextEmbedsAndTimeIdsFromTheInputs(@TempDir Path dir)
      throws Exception {
    assertRunMatchesGolden("unet_sdxl_tiny", "unet", List.of("sample"), 2e-5, dir);
  }

  @Test
  void unetOfAnSdxlFolderRefusesInputsWithoutTextEmbedsAndTimeIds(@TempDir Path dir)
      throws Exception {
    Path golden = Golden.dir("unet_sdxl_tiny");
    Path inputs = dir.resolve("inputs.safetensors");
    try (NDManager manager = NDManager.newBaseManager();
        var full = SafetensorsFile.open(golden.resolve("inputs.safetensors"))) {
      Map<String, NDArray> sdInputs = new LinkedHashMap<>();
      for (String name : List.of("sample", "timestep", "encoder_hidden_states")) {
        sdInputs.put(name, full.load(manager, name));
      }
      SafetensorsWriter.write(inputs, sdInputs, Map.of("format", "pt"));
    }

    assertThatThrownBy(
            () ->
                command.run(
                    new String[] {
                      "run",
                      "--dir",
                      golden.toString(),
                      "--component",
                      "unet",
                      "--inputs",
                      inputs.toString(),
                      "--out",
                      dir.resolve("out.safetensors").toString()
                    }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "this is an SDXL UNet (addition_embed_type \"text_time\"): it needs text_embeds [B,"
                + " 24]");
  }

  @Test
  void tokenizePrintsTheIdsOfATextWithStartAndEndTokens() throws Exception {
    int exit =
        command.run(
            new String[] {
              "tokenize",
              "--dir",
              Golden.dir("clip_tokenizer").toString(),
              "--text",
              "a photo of a cat"
            });

    assertThat(exit).isZero();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith("[49406, 320, 1125, 539, 320, 2368, 49407, 49407");
  }

  @Test
  void vaeEncodeWritesTheLatentDistributionOfTheGoldenImage(@TempDir Path dir) throws Exception {
    assertRunMatchesGolden(
        "vae_tiny", "vae_encode", List.of("latent_dist_mean", "latent_dist_logvar"), 1e-5, dir);
  }

  @Test
  void vaeDecodeWritesTheDecodedSampleOfTheGoldenLatent(@TempDir Path dir) throws Exception {
    assertRunMatchesGolden("vae_tiny", "vae_decode", List.of("decoded_sample"), 1e-5, dir);
  }

  @Test
  void theModelGroupIsRegisteredAndReportsAnUnknownComponentAsUsageError() {
    assertThat(Commands.find(new String[] {"model", "run"})).isPresent();
    int exit =
        Commands.run(
            command,
            new String[] {
              "model", "run", "--dir", ".", "--component", "vae", "--inputs", "x", "--out", "y"
            });
    assertThat(exit).isEqualTo(2);
  }
}
