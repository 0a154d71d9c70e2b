package dev.dti.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.support.TinyModelFolder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on the tiny random-weight model: prompt → CLIP → 3 guided DDIM steps → VAE → RGB. */
class TextToImageTest {

  @TempDir static Path dir;
  private static NDManager manager;
  private static StableDiffusionModel model;

  @BeforeAll
  static void load() throws Exception {
    manager = NDManager.newBaseManager();
    model = StableDiffusionModel.load(TinyModelFolder.create(dir), manager);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static GenerationSettings settings(long seed) {
    return new GenerationSettings(16, 24, 3, 7.5, 0.0, seed);
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  @Test
  void theSameSeedGivesIdenticalPixels() {
    BufferedImage first = TextToImage.generate(model, "a photo of a cat", "", settings(1234));
    BufferedImage second = TextToImage.generate(model, "a photo of a cat", "", settings(1234));

    assertThat(first.getWidth()).isEqualTo(16);
    assertThat(first.getHeight()).isEqualTo(24);
    assertThat(pixels(second)).containsExactly(pixels(first));
  }

  @Test
  void anotherSeedOrAnotherPromptGivesOtherPixels() {
    int[] base = pixels(TextToImage.generate(model, "a photo of a cat", "", settings(1234)));
    int[] otherSeed = pixels(TextToImage.generate(model, "a photo of a cat", "", settings(1235)));
    int[] otherPrompt = pixels(TextToImage.generate(model, "a red house", "", settings(1234)));

    assertThat(otherSeed).isNotEqualTo(base);
    assertThat(otherPrompt).isNotEqualTo(base);
  }

  @Test
  void etaAboveZeroIsReproducibleForItsSeed() {
    var noisy = new GenerationSettings(16, 16, 3, 7.5, 1.0, 99);
    int[] first = pixels(TextToImage.generate(model, "a cat", "", noisy));
    int[] second = pixels(TextToImage.generate(model, "a cat", "", noisy));
    int[] deterministic =
        pixels(
            TextToImage.generate(
                model, "a cat", "", new GenerationSettings(16, 16, 3, 7.5, 0, 99)));

    assertThat(second).containsExactly(first);
    assertThat(deterministic).isNotEqualTo(first);
  }

  @Test
  void eulerIsReproducibleForItsSeedAndSamplesOtherPixelsThanDdim() {
    var euler = new GenerationSettings(16, 24, 3, 7.5, 0, 1234, SchedulerType.EULER);
    int[] first = pixels(TextToImage.generate(model, "a photo of a cat", "", euler));
    int[] second = pixels(TextToImage.generate(model, "a photo of a cat", "", euler));
    int[] ddim = pixels(TextToImage.generate(model, "a photo of a cat", "", settings(1234)));

    assertThat(second).containsExactly(first);
    assertThat(ddim).isNotEqualTo(first);
  }

  @Test
  void thePngBytesDecodeToTheSameImage() throws Exception {
    BufferedImage image = TextToImage.generate(model, "a photo of a cat", "", settings(7));

    BufferedImage read = ImageIO.read(new ByteArrayInputStream(Images.png(image)));

    assertThat(pixels(read)).containsExactly(pixels(image));
  }

  @Test
  void sizesThatAreNotMultiplesOfTheVaeScaleFactorAreRefused() {
    assertThatThrownBy(
            () ->
                TextToImage.generate(
                    model, "a cat", "", new GenerationSettings(17, 16, 4, 7.5, 0, 1)))
        .hasMessageContaining("multiples of 2");
  }
}
