package dev.dti.diffusion.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.support.Golden;
import dev.dti.support.MaxAbsError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoencoderKLTest {

  private static final Path GOLDEN = Golden.dir("vae_tiny");

  @Test
  void encodeAndDecodeMatchDiffusersOnTheTinyGoldenVae() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"));
        var outputs = SafetensorsFile.open(GOLDEN.resolve("outputs.safetensors"))) {
      AutoencoderKL vae = AutoencoderKL.load(GOLDEN, manager);

      DiagonalGaussianDistribution dist = vae.encode(inputs.load(manager, "image"));
      NDArray decoded = vae.decode(inputs.load(manager, "latent"));

      double meanError = MaxAbsError.of(dist.mean(), outputs.load(manager, "latent_dist_mean"));
      double logvarError =
          MaxAbsError.of(dist.logvar(), outputs.load(manager, "latent_dist_logvar"));
      double decodedError = MaxAbsError.of(decoded, outputs.load(manager, "decoded_sample"));
      System.out.printf(
          "vae_tiny max abs error: mean %.3g, logvar %.3g, decoded_sample %.3g%n",
          meanError, logvarError, decodedError);
      assertThat(meanError).isLessThanOrEqualTo(1e-5);
      assertThat(logvarError).isLessThanOrEqualTo(1e-5);
      assertThat(decodedError).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void configGivesTheScalingFactorAndTheLatentScale() throws Exception {
    AutoencoderKLConfig config = AutoencoderKLConfig.read(GOLDEN.resolve("config.json"));
    assertThat(config.scalingFactor()).isEqualTo(0.18215);
    assertThat(config.scaleFactor()).isEqualTo(2);
    assertThat(config.blockOutChannels()).containsExactly(16, 32);
  }

  @Test
  void legacyAttentionNamesQueryKeyValueProjAttnLoadToTheSameModel(@TempDir Path dir)
      throws Exception {
    Files.copy(GOLDEN.resolve("config.json"), dir.resolve("config.json"));
    try (NDManager manager = NDManager.newBaseManager();
        var weights = SafetensorsFile.open(GOLDEN.resolve("diffusion_pytorch_model.safetensors"));
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      Map<String, NDArray> renamed = new LinkedHashMap<>();
      for (String name : weights.names()) {
        String legacy =
            name.replace(".to_q.", ".query.")
                .replace(".to_k.", ".key.")
                .replace(".to_v.", ".value.")
                .replace(".to_out.0.", ".proj_attn.");
        renamed.put(legacy, weights.load(manager, name));
      }
      assertThat(renamed).containsKey("decoder.mid_block.attentions.0.proj_attn.weight");
      SafetensorsWriter.write(dir.resolve("diffusion_pytorch_model.safetensors"), renamed, null);

      NDArray latent = inputs.load(manager, "latent");
      NDArray expected = AutoencoderKL.load(GOLDEN, manager).decode(latent);
      NDArray actual = AutoencoderKL.load(dir, manager).decode(latent);

      assertThat(MaxAbsError.of(actual, expected)).isZero();
    }
  }

  @Test
  void sampleIsMeanPlusStdTimesSeededNoiseAndRepeatsForTheSameSeed() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      DiagonalGaussianDistribution dist =
          AutoencoderKL.load(GOLDEN, manager).encode(inputs.load(manager, "image"));

      NDArray first = dist.sample(new GaussianNoise(7));
      NDArray again = dist.sample(new GaussianNoise(7));
      NDArray other = dist.sample(new GaussianNoise(8));
      NDArray expected =
          dist.mean().add(dist.std().mul(new GaussianNoise(7).next(manager, first.getShape())));

      assertThat(first.toFloatArray()).containsExactly(again.toFloatArray());
      assertThat(MaxAbsError.of(first, expected)).isZero();
      assertThat(MaxAbsError.of(first, other)).isGreaterThan(1e-3);
    }
  }

  @Test
  void aMissingWeightFileIsNamedInTheError(@TempDir Path dir) throws Exception {
    Files.copy(GOLDEN.resolve("config.json"), dir.resolve("config.json"));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> AutoencoderKL.load(dir, manager))
          .hasMessageContaining("diffusion_pytorch_model.safetensors");
    }
  }
}
