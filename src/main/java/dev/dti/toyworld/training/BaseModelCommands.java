package dev.dti.toyworld.training;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dti.cli.BenchmarksFile;
import dev.dti.cli.CommandOptions;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.toyworld.ToyWorld;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The base-model commands of the {@code toyworld} group: {@code train}, {@code evaluate} and {@code
 * base-benchmark} (docs/toyworld.md, "Base model").
 */
public final class BaseModelCommands {

  public static final String USAGE =
      """
             toyworld train --out DIR [--seed 0] [--minutes N] [--resume] [--size compact] \
      [--state-precision float32|float16]
             toyworld evaluate --model DIR [--images 96] [--seed 7] [--out docs/benchmarks.md] \
      [--pictures DIR]
             toyworld base-benchmark [--steps 5] [--out docs/benchmarks.md]""";

  /** The docs/benchmarks.md section {@code base-benchmark} regenerates. */
  public static final String STEP_TIMES_SECTION = "Toy base model";

  /** The docs/benchmarks.md section {@code evaluate} regenerates. */
  public static final String QUALITY_SECTION = "Toy base model quality";

  private final PrintStream out;

  public BaseModelCommands(PrintStream out) {
    this.out = out;
  }

  public void run(String command, String[] args) throws Exception {
    switch (command) {
      case "train" -> train(args);
      case "evaluate" ->
          evaluate(
              CommandOptions.parse(
                  args,
                  1,
                  Set.of("model", "images", "seed", "out", "pictures", "guidance"),
                  USAGE));
      case "base-benchmark" ->
          benchmark(CommandOptions.parse(args, 1, Set.of("steps", "out"), USAGE));
      default -> throw new IllegalArgumentException(USAGE);
    }
  }

  private void train(String[] args) throws Exception {
    boolean resume = java.util.Arrays.asList(args).contains("--resume");
    String[] rest =
        java.util.Arrays.stream(args).filter(a -> !a.equals("--resume")).toArray(String[]::new);
    CommandOptions options =
        CommandOptions.parse(
            rest, 1, Set.of("out", "seed", "minutes", "size", "state-precision"), USAGE);
    double minutes = options.decimal("minutes").orElse(Double.POSITIVE_INFINITY);
    BaseModelTrainer.Settings defaults =
        BaseModelTrainer.Settings.defaults(options.longInteger("seed", 0), minutes * 60);
    BaseModelTrainer.Settings settings =
        defaults.with(
            ToyModelArchitecture.byName(options.string("size", ToyModelArchitecture.BASE.name())),
            switch (options.string("state-precision", "float32")) {
              case "float32" -> DataType.FLOAT32;
              case "float16" -> DataType.FLOAT16;
              default -> throw new IllegalArgumentException("--state-precision float32|float16");
            });
    TrainingState state =
        new BaseModelTrainer(settings, Path.of(options.required("out")), out).run(resume);
    out.printf(
        Locale.ROOT,
        "stage %s, VAE steps %d, diffusion steps %d, %.0f s trained in total%n",
        state.stage(),
        state.vaeSteps(),
        state.diffusionSteps(),
        state.trainingSeconds());
  }

  private void evaluate(CommandOptions options) throws Exception {
    Path folder = Path.of(options.required("model"));
    int images = options.integer("images", 96);
    long seed = options.longInteger("seed", 7);
    double guidance = options.decimal("guidance").orElse(BaseModelEvaluation.GUIDANCE);
    BaseModelEvaluation.Result result;
    TrainingState state = TrainingState.read(folder.resolve("training_state/state.json"));
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(folder, manager);
      result = BaseModelEvaluation.run(ToySampler.of(model), seed, images, images / 2, guidance);
    }
    out.printf(Locale.ROOT, "one object: %s%ntwo objects: %s%n", result.singles(), result.pairs());
    String pictures = options.string("pictures", null);
    if (pictures != null) {
      writePictures(Path.of(pictures), seed, images, result);
    }
    String body =
        String.format(
            Locale.ROOT,
            "`toyworld evaluate --model %s --images %d --seed %d`: DDIM %d steps, guidance %.1f,"
                + " held-out captions of named shapes, one picture a caption with its own noise"
                + " seed; the judge reads each picture (two-object pictures per half). Model after"
                + " %d VAE steps and %d text encoder + UNet steps (%.1f h of training on the"
                + " shared 2-core machine). Gate: at least %.0f %% for every attribute, on"
                + " one-object and on two-object prompts.%n%n"
                + "| prompts | pictures | shape | colour | background |%n|---|---|---|---|---|%n"
                + "%s%s%nGate %s.%n",
            folder,
            images,
            seed,
            BaseModelEvaluation.DDIM_STEPS,
            guidance,
            state.vaeSteps(),
            state.diffusionSteps(),
            state.trainingSeconds() / 3600,
            BaseModelEvaluation.GATE * 100,
            row("one object", result.singles()),
            row("two objects", result.pairs()),
            result.gateMet() ? "met" : "not met");
    BenchmarksFile.replaceSection(
        Path.of(options.string("out", "docs/benchmarks.md")), QUALITY_SECTION, body);
  }

  /** Each generated picture as NNN-caption.png, so people can see what the judge read. */
  private void writePictures(Path dir, long seed, int images, BaseModelEvaluation.Result result)
      throws IOException {
    Files.createDirectories(dir);
    List<String> captions =
        BaseModelEvaluation.prompts(seed, images, images / 2).stream()
            .map(ToyWorld::caption)
            .toList();
    for (int i = 0; i < captions.size(); i++) {
      String name = String.format(Locale.ROOT, "%03d-%s.png", i, captions.get(i).replace(' ', '-'));
      ImageIO.write(result.pictures().get(i), "png", dir.resolve(name).toFile());
    }
    ImageIO.write(sheet(result.pictures(), 8, 4), "png", dir.resolve("sheet.png").toFile());
    out.printf(Locale.ROOT, "wrote %d pictures and sheet.png to %s%n", captions.size(), dir);
  }

  /** The pictures enlarged {@code scale} times, {@code columns} a row, 2 px apart. */
  static BufferedImage sheet(List<BufferedImage> pictures, int columns, int scale) {
    int size = pictures.getFirst().getWidth() * scale;
    int rows = (pictures.size() + columns - 1) / columns;
    var sheet =
        new BufferedImage(columns * (size + 2), rows * (size + 2), BufferedImage.TYPE_INT_RGB);
    var graphics = sheet.createGraphics();
    graphics.setColor(Color.WHITE);
    graphics.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
    for (int i = 0; i < pictures.size(); i++) {
      graphics.drawImage(
          pictures.get(i),
          (i % columns) * (size + 2),
          (i / columns) * (size + 2),
          size,
          size,
          null);
    }
    graphics.dispose();
    return sheet;
  }

  private static String row(String name, Agreement a) {
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.1f %% | %.1f %% | %.1f %% |%n",
        name,
        a.pictures(),
        100 * a.shapeRate(),
        100 * a.colourRate(),
        100 * a.backgroundRate());
  }

  private void benchmark(CommandOptions options) throws Exception {
    int steps = options.integer("steps", 5);
    List<StepTimes.Row> rows = new ArrayList<>();
    for (var vae : List.of(ToyModelArchitecture.NARROW_VAE, ToyModelArchitecture.VAE)) {
      for (int batch : new int[] {16, 32}) {
        rows.add(report(StepTimes.vae(ToyModelArchitecture.BASE.withVae(vae), batch, steps)));
      }
    }
    for (ToyModelArchitecture architecture : ToyModelArchitecture.candidates()) {
      for (int batch : new int[] {32, 64}) {
        rows.add(report(StepTimes.diffusion(architecture, batch, steps)));
      }
    }
    StringBuilder body = new StringBuilder();
    body.append(
        String.format(
            Locale.ROOT,
            "Full-weight training steps (forward, backward, AdamW update, data generation"
                + " included), median of %d after one warm-up step, DJL 0.33.0 / PyTorch 2.5.1,"
                + " CPU, 2 threads, on the shared 2-core machine while other jobs ran"
                + " (`toyworld base-benchmark`).%n%n",
            steps));
    body.append("| stage | size | trainable parameters | batch | median s/step | min s/step |")
        .append(" images/s |\n|---|---|---|---|---|---|---|\n");
    for (StepTimes.Row row : rows) {
      body.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f M | %d | %.3f | %.3f | %.0f |%n",
              row.stage(),
              row.size(),
              row.parameters() / 1e6,
              row.batch(),
              row.medianSeconds(),
              row.minSeconds(),
              row.imagesPerSecond()));
    }
    BenchmarksFile.replaceSection(
        Path.of(options.string("out", "docs/benchmarks.md")), STEP_TIMES_SECTION, body.toString());
  }

  private StepTimes.Row report(StepTimes.Row row) {
    out.printf(
        Locale.ROOT,
        "%s %s batch %d: %.3f s/step (min %.3f), %.2f M parameters%n",
        row.stage(),
        row.size(),
        row.batch(),
        row.medianSeconds(),
        row.minSeconds(),
        row.parameters() / 1e6);
    return row;
  }
}
