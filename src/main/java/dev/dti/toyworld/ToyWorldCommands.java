package dev.dti.toyworld;

import dev.dti.cli.BenchmarksFile;
import dev.dti.cli.CommandGroup;
import dev.dti.cli.CommandOptions;
import dev.dti.toyworld.training.BaseModelCommands;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code toyworld}: reference pictures of a concept, training datasets, tokenizer files, the
 * judge's reading of a picture and its measured accuracy (docs/toyworld.md).
 */
public final class ToyWorldCommands implements CommandGroup {

  static final String USAGE =
      """
      usage: toyworld samples --shape SHAPE --colour COLOUR [--background BG] [--size PIXELS] \
      [--count 4] [--seed 1] --out DIR
             toyworld dataset --count N [--seed 0] [--unnamed-fraction 0.2] \
      [--pair-fraction 0.25] --out DIR
             toyworld tokenizer --out DIR
             toyworld judge --image PNG [--layout single|pair]
             toyworld judge-accuracy [--count 1000] [--seed 1] [--out docs/benchmarks.md]
             toyworld compare [--model models/toy-sd] [--seeds 3] [--images 32] [--steps 400] \
      [--out docs/benchmarks.md]
      """
          + BaseModelCommands.USAGE;

  /** The docs/benchmarks.md section that {@code judge-accuracy} regenerates. */
  static final String BENCHMARK_SECTION = "Toy world judge";

  private static final List<Degradation> CONDITIONS =
      List.of(
          Degradation.CLEAN,
          Degradation.BLUR_NOISE_005,
          Degradation.BLUR_NOISE_010,
          Degradation.STRESS);

  private final PrintStream out;

  public ToyWorldCommands() {
    this(System.out);
  }

  ToyWorldCommands(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "toyworld";
  }

  @Override
  public String summary() {
    return "toy-world pictures of a concept (samples), datasets, tokenizer files, the judge";
  }

  @Override
  public int run(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException(USAGE);
    }
    switch (args[0]) {
      case "samples" ->
          samples(options(args, "shape", "colour", "background", "size", "count", "seed", "out"));
      case "dataset" ->
          dataset(options(args, "count", "seed", "unnamed-fraction", "pair-fraction", "out"));
      case "tokenizer" -> tokenizer(options(args, "out"));
      case "judge" -> judge(options(args, "image", "layout"));
      case "judge-accuracy" -> judgeAccuracy(options(args, "count", "seed", "out"));
      case "compare" -> compare(options(args, "model", "seeds", "images", "steps", "out"));
      case "train", "evaluate", "base-benchmark" -> new BaseModelCommands(out).run(args[0], args);
      default ->
          throw new IllegalArgumentException(
              "unknown toyworld command '" + args[0] + "'\n" + USAGE);
    }
    return 0;
  }

  private static CommandOptions options(String[] args, String... known) {
    return CommandOptions.parse(args, 1, Set.of(known), USAGE);
  }

  private void samples(CommandOptions options) throws IOException {
    Shape shape = Shape.byWord(options.required("shape"));
    ObjectColour colour = ObjectColour.byWord(options.required("colour"));
    BackgroundColour background =
        options.optional("background").map(BackgroundColour::byWord).orElse(null);
    Double size = options.decimal("size").orElse(null);
    int count = options.integer("count", 4);
    Path dir = Path.of(options.required("out"));
    var sampler =
        SceneSampler.training(options.longInteger("seed", 1), SceneSampler.Settings.TRAINING);
    var fixed = new SceneSampler.Fixed(shape, colour, background, size);
    Files.createDirectories(dir);
    for (int i = 0; i < count; i++) {
      Scene scene = sampler.nextSingle(fixed);
      writePng(
          ToyWorld.render(scene),
          dir.resolve(shape.word() + "-" + colour.word() + "-" + i + ".png"));
    }
    out.println(
        "wrote " + count + " pictures of a " + colour.word() + " " + shape.word() + " to " + dir);
  }

  private void dataset(CommandOptions options) throws IOException {
    int count = options.requiredInteger("count");
    var defaults = SceneSampler.Settings.TRAINING;
    var settings =
        new SceneSampler.Settings(
            options.decimal("unnamed-fraction").orElse(defaults.unnamedFraction()),
            options.decimal("pair-fraction").orElse(defaults.pairFraction()));
    Path dir = Path.of(options.required("out"));
    var sampler = SceneSampler.training(options.longInteger("seed", 0), settings);
    var json = JsonMapper.builder().build();
    Files.createDirectories(dir);
    var lines = new StringBuilder();
    for (int i = 0; i < count; i++) {
      Scene scene = sampler.next();
      String fileName = "%06d.png".formatted(i);
      writePng(ToyWorld.render(scene), dir.resolve(fileName));
      lines.append(json.writeValueAsString(captionRecord(fileName, scene))).append('\n');
    }
    Files.writeString(dir.resolve("captions.jsonl"), lines.toString());
    out.println("wrote " + count + " pictures and captions.jsonl to " + dir);
  }

  /** One captions.jsonl line: the file, its caption and the true attributes (left object first). */
  static Map<String, Object> captionRecord(String fileName, Scene scene) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("file_name", fileName);
    record.put("text", ToyWorld.caption(scene));
    record.put("background", scene.background().word());
    List<Map<String, Object>> objects = new ArrayList<>();
    for (SceneObject object : scene.objects()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("shape", object.shape().word());
      o.put("colour", object.colour().word());
      o.put("centre_x", object.centreX());
      o.put("centre_y", object.centreY());
      o.put("size", object.size());
      objects.add(o);
    }
    record.put("objects", objects);
    return record;
  }

  private void tokenizer(CommandOptions options) throws IOException {
    Path dir = Path.of(options.required("out"));
    TokenizerFiles.write(dir);
    out.println(
        "wrote the toy-world tokenizer (" + ToyWorld.vocabulary().size() + " words) to " + dir);
  }

  private void judge(CommandOptions options) throws IOException {
    Path image = Path.of(options.required("image"));
    Layout layout = Layout.valueOf(options.string("layout", "single").toUpperCase(Locale.ROOT));
    BufferedImage picture = ImageIO.read(image.toFile());
    if (picture == null) {
      throw new IllegalArgumentException(image + " is not an image ImageIO can read");
    }
    Judgement judgement = Judge.judge(picture, layout);
    out.printf(
        "background %s (%.2f)%n",
        judgement.background().value(), judgement.background().confidence());
    for (Judgement.ObjectReading object : judgement.objects()) {
      out.printf(
          "object %s (%.2f) %s (%.2f)%n",
          object.colour().value(),
          object.colour().confidence(),
          object.shape().value(),
          object.shape().confidence());
    }
  }

  /** TI vs DTI on the toy model: subject and text fidelity, norms (docs/benchmarks.md). */
  private void compare(CommandOptions options) throws Exception {
    new dev.dti.toyworld.training.MethodComparison(out)
        .run(
            Path.of(options.string("model", "models/toy-sd")),
            options.integer("seeds", 3),
            options.integer("images", 32),
            options.integer("steps", 400),
            Path.of(options.string("out", "docs/benchmarks.md")));
  }

  private void judgeAccuracy(CommandOptions options) throws IOException {
    int count = options.integer("count", 1000);
    long seed = options.longInteger("seed", 1);
    Path file = Path.of(options.string("out", "docs/benchmarks.md"));
    List<JudgeAccuracy.Tally> tallies = new ArrayList<>();
    for (Layout layout : Layout.values()) {
      for (Degradation condition : CONDITIONS) {
        JudgeAccuracy.Tally tally = JudgeAccuracy.measure(layout, count, seed, condition);
        out.printf(
            "%s, %s: background %.3f colour %.3f shape %.3f%n",
            layout,
            condition.name(),
            tally.backgroundAccuracy(),
            tally.colourAccuracy(),
            tally.shapeAccuracy());
        tallies.add(tally);
      }
    }
    BenchmarksFile.replaceSection(
        file, BENCHMARK_SECTION, JudgeAccuracyReport.markdown(tallies, count, seed));
    out.println("wrote section '" + BENCHMARK_SECTION + "' of " + file);
  }

  private static void writePng(BufferedImage image, Path file) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer available");
    }
  }
}
