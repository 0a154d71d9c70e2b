package dev.dti.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.Commands;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyWorldCommandsTest {

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final ToyWorldCommands commands =
      new ToyWorldCommands(new PrintStream(printed, true, StandardCharsets.UTF_8));

  @Test
  void theJarKnowsTheToyworldGroup() {
    assertThat(Commands.find(new String[] {"toyworld", "samples"}))
        .containsInstanceOf(ToyWorldCommands.class);
  }

  @Test
  void samplesWritesPngsOfTheConceptThatTheJudgeRecognizes(@TempDir Path dir) throws Exception {
    int code =
        commands.run(args("samples --shape star --colour red --count 4 --seed 1 --out " + dir));

    assertThat(code).isZero();
    assertThat(dir.toFile().list())
        .containsExactlyInAnyOrder(
            "star-red-0.png", "star-red-1.png", "star-red-2.png", "star-red-3.png");
    for (File png : dir.toFile().listFiles()) {
      BufferedImage image = ImageIO.read(png);
      assertThat(image.getWidth()).isEqualTo(32);
      Judgement.ObjectReading object = Judge.judge(image, Layout.SINGLE).objects().get(0);
      assertThat(object.shape().value()).isEqualTo("star");
      assertThat(object.colour().value()).isEqualTo("red");
    }
  }

  @Test
  void samplesKeepAGivenBackgroundAndSize(@TempDir Path dir) throws Exception {
    commands.run(
        args(
            "samples --shape ring --colour green --background black --size 11 --count 2 --out "
                + dir));

    BufferedImage image = ImageIO.read(dir.resolve("ring-green-0.png").toFile());
    assertThat(Judge.judge(image, Layout.SINGLE).background().value()).isEqualTo("black");
    long greenPixels = countPixels(image, 30, 170, 50);
    // A ring of size 11 covers π(11² − 6.05²) ≈ 265 pixels; anti-aliased edge pixels are mixed.
    assertThat(greenPixels).isBetween(180L, 265L);
  }

  @Test
  void datasetWritesPicturesAndOneCaptionLineEachTheSameForTheSameSeed(@TempDir Path dir)
      throws Exception {
    commands.run(args("dataset --count 12 --seed 7 --out " + dir.resolve("a")));
    commands.run(args("dataset --count 12 --seed 7 --out " + dir.resolve("b")));

    List<String> lines = Files.readAllLines(dir.resolve("a/captions.jsonl"));
    assertThat(lines).hasSize(12);
    assertThat(lines.get(0)).startsWith("{\"file_name\":\"000000.png\",\"text\":\"a");
    assertThat(dir.resolve("a/000011.png")).exists();
    assertThat(Files.readAllLines(dir.resolve("b/captions.jsonl"))).isEqualTo(lines);
    assertThat(Files.readAllBytes(dir.resolve("b/000005.png")))
        .isEqualTo(Files.readAllBytes(dir.resolve("a/000005.png")));
  }

  @Test
  void aCaptionLineCarriesTheTrueAttributesOfAnUnnamedShape() {
    var scene =
        Scene.single(
            BackgroundColour.GRAY, new SceneObject(Shape.HEART, ObjectColour.RED, 16, 15, 10));

    assertThat(ToyWorldCommands.captionRecord("x.png", scene))
        .containsEntry("text", "a red object on a gray background")
        .containsEntry("background", "gray")
        .containsEntry(
            "objects",
            List.of(
                Map.of(
                    "shape",
                    "heart",
                    "colour",
                    "red",
                    "centre_x",
                    16.0,
                    "centre_y",
                    15.0,
                    "size",
                    10.0)));
  }

  @Test
  void tokenizerWritesTheDiffusersTokenizerFiles(@TempDir Path dir) throws Exception {
    commands.run(args("tokenizer --out " + dir));

    assertThat(dir.toFile().list())
        .containsExactlyInAnyOrder(
            "vocab.json", "merges.txt", "special_tokens_map.json", "tokenizer_config.json");
  }

  @Test
  void judgePrintsTheReadingOfAPicture(@TempDir Path dir) throws Exception {
    var scene =
        Scene.single(
            BackgroundColour.WHITE, new SceneObject(Shape.CROSS, ObjectColour.BLUE, 16, 16, 10));
    Path png = dir.resolve("cross.png");
    ImageIO.write(ToyWorld.render(scene), "png", png.toFile());

    commands.run(args("judge --image " + png));

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("background white (")
        .contains("object blue (")
        .contains(") cross (");
  }

  @Test
  void judgeAccuracyRewritesItsBenchmarkSectionAndKeepsTheOthers(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("benchmarks.md");
    Files.writeString(file, "# Benchmarks\n\n## UNet\n\nkeep me\n");

    commands.run(args("judge-accuracy --count 20 --seed 5 --out " + file));
    String first = Files.readString(file);
    commands.run(args("judge-accuracy --count 20 --seed 5 --out " + file));

    assertThat(first).startsWith("# Benchmarks\n\n## UNet\n\nkeep me\n\n## Toy world judge\n");
    assertThat(first).contains("| one object | clean | 100.0% | 100.0% | 100.0% |");
    assertThat(first).contains("| two objects | blur 0.6 px + noise σ 0.10 |");
    assertThat(Files.readString(file)).isEqualTo(first);
  }

  @Test
  void refusesAnUnknownOptionWithTheUsage() {
    assertThatThrownBy(() -> commands.run(args("samples --shape star --colour red --colour2 x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown option --colour2\nusage: toyworld samples");
    assertThat(Commands.run(commands, args("toyworld samples --shape blob --colour red --out x")))
        .isEqualTo(2);
  }

  private static String[] args(String line) {
    return line.split(" ");
  }

  private static long countPixels(BufferedImage image, int r, int g, int b) {
    long count = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == ((r << 16) | (g << 8) | b)) {
          count++;
        }
      }
    }
    return count;
  }
}
