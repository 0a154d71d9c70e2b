package dev.dti.bench;

import ai.djl.ndarray.NDManager;
import dev.dti.cli.BenchmarkMachine;
import dev.dti.cli.BenchmarksFile;
import dev.dti.concept.TrainingDefaults;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.GradientLock;
import dev.dti.training.ConceptTrainer;
import dev.dti.training.TrainingCheckpoint;
import dev.dti.training.TrainingProgress;
import dev.dti.training.TrainingProperties;
import dev.dti.training.TrainingRequest;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Issue 5's training benchmark, on one model in one process: steps/s of DTI against TI (the same
 * model work; only the few-KB optimizer differs), step time with 2 against 20 reference images (the
 * latents are cached, so only the set-up grows), and the wall time of a full default DTI job. Short
 * runs of the three variants alternate in a rotating order; each run's step time is the median of
 * its steps after the first (the first also encodes the reference latents).
 *
 * <p>Run: {@code ./mvnw -B -Pbench -Dbench=training process-test-classes} (see docs/benchmarks.md)
 * or {@code java … dev.dti.bench.TrainingBenchmark --model DIR [--fallback-model DIR] [--rounds 3]
 * [--steps 12] [--job-steps 400] [--doc docs/benchmarks.md]}.
 */
public final class TrainingBenchmark {

  static final String HEADING = "Training";

  /** Reference images of the full job: a typical upload (the API takes 2 to 20). */
  static final int JOB_IMAGES = 4;

  /** One compared configuration: the method and how many reference images. */
  enum Variant {
    DTI_2_IMAGES("DTI, 2 images", TrainingMethod.DTI, 2),
    TI_2_IMAGES("TI, 2 images", TrainingMethod.TI, 2),
    DTI_20_IMAGES("DTI, 20 images", TrainingMethod.DTI, TrainingDefaults.MAX_IMAGES);

    final String label;
    final TrainingMethod method;
    final int images;

    Variant(String label, TrainingMethod method, int images) {
      this.label = label;
      this.method = method;
      this.images = images;
    }
  }

  /**
   * One timed training run.
   *
   * @param firstStepSeconds from calling train() to the end of step 1: latent encoding + one step
   * @param stepSeconds the duration of every later step
   */
  record Run(double firstStepSeconds, double[] stepSeconds) {

    double medianStep() {
      return BenchmarkMachine.median(stepSeconds);
    }

    double meanStep() {
      return Arrays.stream(stepSeconds).average().orElseThrow();
    }

    double totalSeconds() {
      return firstStepSeconds + Arrays.stream(stepSeconds).sum();
    }
  }

  private TrainingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of("models/toy-sd");
    Path fallback = null;
    int rounds = 3;
    int steps = 12;
    int jobSteps = TrainingDefaults.DEFAULT_STEPS;
    Path doc = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--fallback-model" -> fallback = Path.of(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--job-steps" -> jobSteps = Integer.parseInt(args[++i]);
        case "--doc" -> doc = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    boolean toyModel = Files.isRegularFile(model.resolve("model_index.json"));
    if (!toyModel && fallback == null) {
      throw new IllegalArgumentException(model + " holds no model and no --fallback-model given");
    }
    Path dir = toyModel ? model : fallback;
    String loadBefore = BenchmarkMachine.loadAverage();
    try (NDManager manager = NDManager.newBaseManager()) {
      long start = System.nanoTime();
      StableDiffusionModel loaded = StableDiffusionModel.load(dir, manager);
      double loadSeconds = seconds(start);
      System.out.printf(Locale.ROOT, "loaded %s in %.2f s%n", dir, loadSeconds);
      Results results = run(loaded, rounds, steps, jobSteps);
      String loadAfter = BenchmarkMachine.loadAverage();
      String body =
          body(results, dir, toyModel, loadSeconds, rounds, steps, jobSteps, loadBefore, loadAfter);
      System.out.println("## " + HEADING + "\n\n" + body);
      if (doc != null) {
        BenchmarksFile.replaceSection(doc, HEADING, body);
        System.out.println("updated " + doc);
      }
    }
  }

  /** Every variant's runs (rounds of each), then the full job. */
  record Results(List<List<Run>> byVariant, Run job) {

    double medianStep(Variant variant) {
      return BenchmarkMachine.median(
          byVariant.get(variant.ordinal()).stream().mapToDouble(Run::medianStep).toArray());
    }

    double medianFirstStep(Variant variant) {
      return BenchmarkMachine.median(
          byVariant.get(variant.ordinal()).stream().mapToDouble(Run::firstStepSeconds).toArray());
    }
  }

  static Results run(StableDiffusionModel model, int rounds, int steps, int jobSteps)
      throws InterruptedException {
    Variant[] variants = Variant.values();
    List<List<Run>> byVariant = new ArrayList<>();
    for (int v = 0; v < variants.length; v++) {
      byVariant.add(new ArrayList<>());
    }
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < variants.length; k++) {
        Variant variant = variants[(r + k) % variants.length]; // rotate who goes first
        Run run = measure(model, request(variant.method, variant.images, steps, r));
        byVariant.get(variant.ordinal()).add(run);
        System.out.printf(
            Locale.ROOT,
            "round %d, %s: first step %.3f s, median step %.4f s%n",
            r + 1,
            variant.label,
            run.firstStepSeconds(),
            run.medianStep());
      }
    }
    Run job = measure(model, request(TrainingMethod.DTI, JOB_IMAGES, jobSteps, 0));
    System.out.printf(
        Locale.ROOT,
        "DTI job of %d steps: %.2f s (median step %.4f s)%n",
        jobSteps,
        job.totalSeconds(),
        job.medianStep());
    return new Results(byVariant, job);
  }

  /** Trains as a job's worker would (default views per image, the JVM's gradient lock). */
  static Run measure(StableDiffusionModel model, TrainingRequest request)
      throws InterruptedException {
    var trainer =
        new ConceptTrainer(model, GradientLock.jvmWide(), defaultProperties().viewsPerImage());
    long[] ends = new long[request.steps()];
    long start = System.nanoTime();
    trainer.train(
        request,
        null,
        new ConceptTrainer.Listener() {
          @Override
          public void onStep(TrainingProgress progress) {
            ends[progress.step() - 1] = System.nanoTime();
          }

          @Override
          public boolean checkpointAfter(int step) {
            return false;
          }

          @Override
          public void onCheckpoint(
              TrainingCheckpoint checkpoint,
              java.util.Map<String, dev.dti.embedding.Embedding.EncoderRows> rows) {}
        });
    double[] later = new double[ends.length - 1];
    for (int i = 1; i < ends.length; i++) {
      later[i - 1] = (ends[i] - ends[i - 1]) / 1e9;
    }
    return new Run((ends[0] - start) / 1e9, later);
  }

  /** dti.training.* as configured when nothing is set: the defaults of TrainingProperties. */
  static TrainingProperties defaultProperties() {
    return new Binder(List.of())
        .bindOrCreate("dti.training", Bindable.of(TrainingProperties.class));
  }

  /** A default request (batch, learning rate, κ, templates) for the given method and images. */
  static TrainingRequest request(TrainingMethod method, int images, int steps, long seed) {
    return TrainingRequest.builder(method, "<bench>", "a", images(images))
        .steps(steps)
        .weightDecay(defaultProperties().tiWeightDecay())
        .seed(seed)
        .build();
  }

  /** Distinct 256×256 pictures: a coloured square on white, hue and place varying. */
  static List<BufferedImage> images(int count) {
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      var image = new BufferedImage(256, 256, BufferedImage.TYPE_INT_RGB);
      var g = image.createGraphics();
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, 256, 256);
      g.setColor(Color.getHSBColor(i / (float) count, 0.8f, 0.9f));
      g.fillRect(32 + 8 * (i % 8), 48 + 6 * (i % 5), 128, 128);
      g.dispose();
      images.add(image);
    }
    return images;
  }

  static String body(
      Results results,
      Path modelDir,
      boolean toyModel,
      double loadSeconds,
      int rounds,
      int steps,
      int jobSteps,
      String loadBefore,
      String loadAfter) {
    double dti = results.medianStep(Variant.DTI_2_IMAGES);
    double ti = results.medianStep(Variant.TI_2_IMAGES);
    double dti20 = results.medianStep(Variant.DTI_20_IMAGES);
    int defaultSteps = TrainingDefaults.DEFAULT_STEPS;
    Run job = results.job();
    // The mean, not the median: a job's wall time is the sum of its steps, slow ones included.
    double jobEstimate = job.firstStepSeconds() + (defaultSteps - 1) * job.meanStep();
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -Pbench -Dbench=training process-test-classes` (runs"
            + " `dev.dti.bench.TrainingBenchmark --model models/toy-sd --fallback-model"
            + " target/bench/tiny-sd --doc docs/benchmarks.md`, which rewrites this section;"
            + " `-Dbench.model=DIR` measures another model folder; `-Dbench.rounds`, `-Dbench.steps`"
            + " and `-Dbench.jobSteps` shorten it).");
    lines.add("");
    lines.add(
        toyModel
            ? "Model: the embedded default toy model (`" + modelDir + "`)."
            : "Model: **not the toy model** — `models/toy-sd` was not on main when this was"
                + " measured, so the numbers are for the tiny model built from ../shared/golden"
                + " (`TinyModelFolder`: CLIP width 32, 3 layers, 16 tokens; SD-1.5-shaped UNet"
                + " 16/32/32 on 16×16 latents; tiny VAE, 32×32 pixels). Re-run the command once"
                + " models/toy-sd exists.");
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "`ConceptTrainer.train` as a worker runs it: batch %d, default learning rates, κ, TI"
                + " weight decay and %d views an image, object templates, no checkpoints or"
                + " progress writes (the job's database work is not included). %d rounds; in each,"
                + " one %d-step run of every variant, the order rotating from round to round. A"
                + " run's step time is the median of its steps 2…%d; the table gives the median"
                + " over the rounds. Model load: %.2f s.",
            TrainingDefaults.DEFAULT_BATCH_SIZE,
            defaultProperties().viewsPerImage(),
            rounds,
            steps,
            steps,
            loadSeconds));
    lines.add("");
    lines.add("| variant | step time (median) | steps/s | set-up + step 1 (median) |");
    lines.add("|---|---|---|---|");
    for (Variant variant : Variant.values()) {
      double step = results.medianStep(variant);
      lines.add(
          String.format(
              Locale.ROOT,
              "| %s | %.1f ms | %.2f | %.2f s |",
              variant.label,
              step * 1e3,
              1 / step,
              results.medianFirstStep(variant)));
    }
    lines.add("");
    lines.add("| comparison | ratio | expected |");
    lines.add("|---|---|---|");
    lines.add(
        String.format(
            Locale.ROOT,
            "| steps/s DTI ÷ TI | **%.3f** (rounds: %s) | 1 (the optimizers are a few KB of Java"
                + " math) |",
            ti / dti,
            pairedRatios(results, Variant.TI_2_IMAGES, Variant.DTI_2_IMAGES)));
    lines.add(
        String.format(
            Locale.ROOT,
            "| step time 20 images ÷ 2 images (DTI) | **%.3f** (rounds: %s) | 1 (latents are"
                + " cached) |",
            dti20 / dti,
            pairedRatios(results, Variant.DTI_20_IMAGES, Variant.DTI_2_IMAGES)));
    lines.add("");
    if (jobSteps == defaultSteps) {
      lines.add(
          String.format(
              Locale.ROOT,
              "Full default DTI job (%d steps, batch %d, %d images, default settings): **%.1f s**"
                  + " wall time from train() to the last step (set-up + step 1: %.2f s; median"
                  + " step %.1f ms)%s.",
              defaultSteps,
              TrainingDefaults.DEFAULT_BATCH_SIZE,
              JOB_IMAGES,
              job.totalSeconds(),
              job.firstStepSeconds(),
              job.medianStep() * 1e3,
              toyModel ? "; goal ≤ 60 s" : " — on the tiny golden-built model, not the toy model"));
    } else {
      lines.add(
          String.format(
              Locale.ROOT,
              "Full default DTI job (%d steps, batch %d, %d images): **%.1f s, extrapolated** from"
                  + " a %d-step run (%.1f s: set-up + step 1 %.2f s, mean step %.1f ms, median"
                  + " %.1f ms) as set-up + step 1 + %d × mean step%s.",
              defaultSteps,
              TrainingDefaults.DEFAULT_BATCH_SIZE,
              JOB_IMAGES,
              jobEstimate,
              jobSteps,
              job.totalSeconds(),
              job.firstStepSeconds(),
              job.meanStep() * 1e3,
              job.medianStep() * 1e3,
              defaultSteps - 1,
              toyModel ? "; goal ≤ 60 s" : " — on the tiny golden-built model, not the toy model"));
    }
    lines.add("");
    lines.add(BenchmarkMachine.describe(loadBefore, loadAfter));
    return String.join("\n", lines) + "\n";
  }

  /** numerator ÷ denominator median step time within each round (runs of one round are close). */
  private static String pairedRatios(Results results, Variant numerator, Variant denominator) {
    List<Run> top = results.byVariant().get(numerator.ordinal());
    List<Run> bottom = results.byVariant().get(denominator.ordinal());
    List<String> ratios = new ArrayList<>();
    for (int r = 0; r < top.size(); r++) {
      ratios.add(
          String.format(Locale.ROOT, "%.2f", top.get(r).medianStep() / bottom.get(r).medianStep()));
    }
    return String.join(", ", ratios);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
