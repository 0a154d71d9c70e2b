package dev.dti.bench;

import ai.djl.ndarray.NDManager;
import dev.dti.cli.BenchmarkMachine;
import dev.dti.cli.BenchmarksFile;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.GradientLock;
import dev.dti.training.ConceptTrainer;
import dev.dti.training.StepOutcome;
import dev.dti.training.TrainingRequest;
import dev.dti.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 15's batching benchmark: job-steps per second of K concurrent default DTI jobs trained in
 * one batched forward and backward pass per step ({@link ConceptTrainer#step} over K runs), against
 * the same K jobs trained one after another (each run alone), for K = 1, 2, 4, 8, in one process.
 * In every round and for every K both are measured side by side, the one that goes first
 * alternating between rounds; the peak resident memory of each is sampled while it runs.
 *
 * <p>Two models: (a) the embedded default toy model and (b) an SD-1.5-sized model with random
 * weights (CLIP ViT-L text encoder, SD 1.5's UNet at 32×32 latents, the toy model's VAE and
 * tokenizer with SD's 77-token context), built in memory as {@link ModelStackBenchmark} builds it.
 * Set-up (encoding the reference latents) is not timed, only the steps.
 *
 * <p>Run: {@code ./mvnw -B -Pbench-batching process-test-classes} (see docs/benchmarks.md) or
 * {@code java … dev.dti.bench.BatchingBenchmark --model DIR [--fallback-model DIR] [--ks 1,2,4,8]
 * [--rounds 3] [--steps 8] [--sd-ks 1,2,4,8] [--sd-rounds 1] [--sd-steps 2] [--sd-batch-size 4]
 * [--doc docs/benchmarks.md]} ({@code --sd-ks none} skips the SD-sized model).
 */
public final class BatchingBenchmark {

  static final String HEADING = "Multi-job batching";

  /** SD 1.5's UNet at 32×32 latents: {@link ModelStackBenchmark#SD15_UNET_CONFIG}, sample 32. */
  static final String SD15_UNET_32 =
      ModelStackBenchmark.SD15_UNET_CONFIG.replace("\"sample_size\": 64", "\"sample_size\": 32");

  /** SD's text context: prompts are padded to 77 tokens. */
  static final int SD_TOKENS = 77;

  private BatchingBenchmark() {}

  /**
   * One side-by-side measurement of K jobs for a number of steps each.
   *
   * @param batchedSeconds the K jobs' steps in shared passes
   * @param sequentialSeconds the same K jobs' steps, each job alone, one job after another
   * @param batchedPeakMb peak resident memory of the process while the batched passes ran
   */
  record Round(
      int k,
      int steps,
      double batchedSeconds,
      double sequentialSeconds,
      double batchedPeakMb,
      double sequentialPeakMb) {

    double batchedJobStepsPerSecond() {
      return k * steps / batchedSeconds;
    }

    double sequentialJobStepsPerSecond() {
      return k * steps / sequentialSeconds;
    }

    /** Throughput batched ÷ one after another: above 1 batching wins. */
    double ratio() {
      return sequentialSeconds / batchedSeconds;
    }
  }

  /** The rounds of one model, grouped by K in the order measured. */
  record ModelResult(
      String label, List<Integer> ks, List<Round> rounds, int batchSize, long flopsPerJobStep) {

    List<Round> of(int k) {
      return rounds.stream().filter(r -> r.k() == k).toList();
    }
  }

  public static void main(String[] args) throws Exception {
    Path model = Path.of("models/toy-sd");
    Path fallback = null;
    List<Integer> ks = List.of(1, 2, 4, 8);
    List<Integer> sdKs = List.of(1, 2, 4, 8);
    int rounds = 3;
    int steps = 8;
    int sdRounds = 1;
    int sdSteps = 2;
    int sdBatchSize = TrainingBenchmark.request(TrainingMethod.DTI, 2, 1, 0).batchSize();
    Path doc = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--fallback-model" -> fallback = Path.of(args[++i]);
        case "--ks" -> ks = parseKs(args[++i]);
        case "--sd-ks" -> sdKs = parseKs(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--sd-rounds" -> sdRounds = Integer.parseInt(args[++i]);
        case "--sd-steps" -> sdSteps = Integer.parseInt(args[++i]);
        case "--sd-batch-size" -> sdBatchSize = Integer.parseInt(args[++i]);
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
    List<ModelResult> results = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel toy = StableDiffusionModel.load(dir, manager);
      String toyLabel =
          toyModel
              ? "(a) the embedded default toy model (`" + model + "`)"
              : "(a) **not the toy model**: the tiny test model (`" + dir + "`)";
      int toyBatch = TrainingBenchmark.request(TrainingMethod.DTI, 2, 1, 0).batchSize();
      results.add(measure(toyLabel, toy, ks, rounds, steps, toyBatch));
    }
    if (!sdKs.isEmpty()) {
      try (NDManager manager = NDManager.newBaseManager()) {
        long start = System.nanoTime();
        StableDiffusionModel sd = sd15Sized(dir, manager);
        System.out.printf(Locale.ROOT, "built the SD-1.5-sized model in %.1f s%n", seconds(start));
        results.add(
            measure(
                "(b) SD-1.5-sized, random weights, 32×32 latents",
                sd,
                sdKs,
                sdRounds,
                sdSteps,
                sdBatchSize));
      }
    }
    String loadAfter = BenchmarkMachine.loadAverage();
    String body = body(results, loadBefore, loadAfter);
    System.out.println("## " + HEADING + "\n\n" + body);
    if (doc != null) {
      BenchmarksFile.replaceSection(doc, HEADING, body);
      System.out.println("updated " + doc);
    }
  }

  static List<Integer> parseKs(String list) {
    if (list.equals("none")) {
      return List.of();
    }
    return Arrays.stream(list.split(",")).map(String::strip).map(Integer::parseInt).toList();
  }

  /** Every round, every K: batched and one after another, the first of the two alternating. */
  static ModelResult measure(
      String label,
      StableDiffusionModel model,
      List<Integer> ks,
      int rounds,
      int steps,
      int batchSize)
      throws InterruptedException {
    var trainer =
        new ConceptTrainer(
            model, GradientLock.jvmWide(), TrainingBenchmark.defaultProperties().viewsPerImage());
    // One untimed step first: the first pass of a process pays for allocator and kernel warm-up.
    timeBatched(trainer, requests(1, 1, batchSize, 99), 1);
    List<Round> measured = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (int k : ks) {
        List<TrainingRequest> requests = requests(k, steps, batchSize, 1000L * r);
        double[] batched = new double[2];
        double[] sequential = new double[2];
        boolean batchedFirst = r % 2 == 0;
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == batchedFirst) {
            batched = timeBatched(trainer, requests, steps);
          } else {
            sequential = timeSequential(trainer, requests, steps);
          }
        }
        Round round = new Round(k, steps, batched[0], sequential[0], batched[1], sequential[1]);
        measured.add(round);
        System.out.printf(
            Locale.ROOT,
            "%s, round %d, K=%d: batched %.3f job-steps/s (peak %.0f MB), one after another %.3f"
                + " (peak %.0f MB), ratio %.3f%n",
            label,
            r + 1,
            k,
            round.batchedJobStepsPerSecond(),
            round.batchedPeakMb(),
            round.sequentialJobStepsPerSecond(),
            round.sequentialPeakMb(),
            round.ratio());
      }
    }
    return new ModelResult(label, ks, measured, batchSize, forwardFlops(model, batchSize));
  }

  /**
   * Analytic FLOPs of the forward pass of one job-step: {@code batchSize} examples through the UNet
   * at the model's latent size and the text encoder at the tokenizer's context length.
   */
  static long forwardFlops(StableDiffusionModel model, int batchSize) {
    int latent = model.unet().config().sampleSize();
    int tokens = model.tokenizer().maxLength();
    return UNetFlops.forward(model.unet().config(), batchSize, latent, latent, tokens)
        + CLIPTextFlops.forward(model.textEncoder().config(), batchSize, tokens);
  }

  /** K default DTI jobs of different seeds (so different batches), as different tenants send. */
  static List<TrainingRequest> requests(int k, int steps, int batchSize, long seedBase) {
    List<TrainingRequest> requests = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      TrainingRequest base = TrainingBenchmark.request(TrainingMethod.DTI, 2, steps, seedBase + j);
      requests.add(
          TrainingRequest.builder(base.method(), base.token(), base.initializer(), base.images())
              .steps(steps)
              .batchSize(batchSize)
              .seed(seedBase + j)
              .build());
    }
    return requests;
  }

  /** Seconds of {@code steps} shared passes over runs of every request, and the peak RSS (MB). */
  static double[] timeBatched(ConceptTrainer trainer, List<TrainingRequest> requests, int steps)
      throws InterruptedException {
    List<TrainingRun> runs = new ArrayList<>();
    for (TrainingRequest request : requests) {
      runs.add(trainer.start(request, null));
    }
    try (var peak = new PeakMemory()) {
      long start = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        check(trainer.step(runs));
      }
      return new double[] {seconds(start), peak.megabytes()};
    }
  }

  /** Seconds of the same steps with each run alone, one run after another, and the peak RSS. */
  static double[] timeSequential(ConceptTrainer trainer, List<TrainingRequest> requests, int steps)
      throws InterruptedException {
    List<TrainingRun> runs = new ArrayList<>();
    for (TrainingRequest request : requests) {
      runs.add(trainer.start(request, null));
    }
    try (var peak = new PeakMemory()) {
      long start = System.nanoTime();
      for (TrainingRun run : runs) {
        for (int s = 0; s < steps; s++) {
          check(trainer.step(List.of(run)));
        }
      }
      return new double[] {seconds(start), peak.megabytes()};
    }
  }

  private static void check(List<StepOutcome> outcomes) {
    for (StepOutcome outcome : outcomes) {
      if (outcome instanceof StepOutcome.Diverged diverged) {
        throw diverged.error();
      }
    }
  }

  /**
   * An SD-1.5-sized model with random weights: CLIP ViT-L's text encoder and SD 1.5's UNet at 32×32
   * latents; the toy model's VAE (it only encodes the reference images once, untimed), scheduler,
   * templates and vocabulary, with SD's 77-token context.
   */
  static StableDiffusionModel sd15Sized(Path toyDir, NDManager manager) throws IOException {
    Path tokenizerDir = Files.createTempDirectory("sd15-tokenizer");
    for (String file : List.of("vocab.json", "merges.txt", "special_tokens_map.json")) {
      Files.copy(toyDir.resolve("tokenizer").resolve(file), tokenizerDir.resolve(file));
    }
    Files.writeString(
        tokenizerDir.resolve("tokenizer_config.json"),
        Files.readString(toyDir.resolve("tokenizer/tokenizer_config.json"))
            .replaceAll("\"model_max_length\"\\s*:\\s*\\d+", "\"model_max_length\": " + SD_TOKENS));
    StableDiffusionModel toy = StableDiffusionModel.load(toyDir, manager);
    return new StableDiffusionModel(
        "sd15-sized-random",
        toyDir,
        CLIPTokenizer.fromPretrained(tokenizerDir),
        new CLIPTextModel(new InitializedParameters(manager, 1), ModelStackBenchmark.VIT_L_TEXT),
        null,
        null,
        new UNet2DConditionModel(
            UNet2DConditionConfig.fromJson(SD15_UNET_32), new InitializedParameters(manager, 0)),
        toy.vae(),
        toy.schedulerConfig(),
        false);
  }

  static String body(List<ModelResult> results, String loadBefore, String loadAfter) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -Pbench-batching process-test-classes` (runs"
            + " `dev.dti.bench.BatchingBenchmark --model models/toy-sd --fallback-model"
            + " target/bench/tiny-sd --doc docs/benchmarks.md`, which rewrites this section;"
            + " `-Dbench.ks`, `-Dbench.rounds`, `-Dbench.steps`, `-Dbench.sd.ks`,"
            + " `-Dbench.sd.rounds`, `-Dbench.sd.steps`, `-Dbench.sd.batchSize` change it).");
    lines.add("");
    lines.add(
        "K concurrent default DTI jobs (2 reference images, different seeds): every step of all"
            + " K in one batched forward and backward pass (`ConceptTrainer.step` over K runs)"
            + " against the same K jobs trained one after another, each alone. Job-steps/s ="
            + " K × steps ÷ seconds of stepping (the set-up that encodes reference latents is not"
            + " timed). Both sides run in each round for each K, the first alternating by round;"
            + " peak memory is the process's resident set sampled every 5 ms while the side ran."
            + " The resident set hardly shrinks (the allocators keep what they freed), so a side's"
            + " peak includes what earlier sides reserved: round 1 runs K in increasing order and"
            + " is the informative one; the step between two K there is what the larger K needs.");
    for (ModelResult result : results) {
      lines.add("");
      lines.add(
          String.format(
              Locale.ROOT,
              "**%s**, batch size %d per job, %d steps per job and side; one job-step's forward"
                  + " pass is %.3g GFLOP (analytic, `UNetFlops` + `CLIPTextFlops`), about twice"
                  + " that with the backward pass to the rows:",
              result.label(),
              result.batchSize(),
              result.rounds().getFirst().steps(),
              result.flopsPerJobStep() / 1e9));
      lines.add("");
      lines.add(
          "| K | round | batched job-steps/s | one after another job-steps/s | ratio"
              + " | peak RSS batched | peak RSS one after another |");
      lines.add("| --- | --- | --- | --- | --- | --- | --- |");
      for (int k : result.ks()) {
        List<Round> rounds = result.of(k);
        for (int r = 0; r < rounds.size(); r++) {
          Round round = rounds.get(r);
          lines.add(
              String.format(
                  Locale.ROOT,
                  "| %d | %d | %.3f | %.3f | %.3f | %.0f MB | %.0f MB |",
                  k,
                  r + 1,
                  round.batchedJobStepsPerSecond(),
                  round.sequentialJobStepsPerSecond(),
                  round.ratio(),
                  round.batchedPeakMb(),
                  round.sequentialPeakMb()));
        }
        double median =
            BenchmarkMachine.median(rounds.stream().mapToDouble(Round::ratio).toArray());
        lines.add(String.format(Locale.ROOT, "| %d | **median** | | | **%.3f** | | |", k, median));
      }
    }
    lines.add("");
    lines.add(
        "What the numbers predict for a GPU (none was available: this is arithmetic, not a"
            + " measurement). A pass costs work proportional to its FLOPs plus a part that does not grow"
            + " with the batch: the Java-side batch preparation, the dispatch of every operator through"
            + " JNI (hundreds a pass), the optimizer and the job's database writes, and small tensors"
            + " that keep the cores below their peak. Batching K jobs pays that part once for K"
            + " job-steps and gives each operator K times the work. On an idle 2-core machine the"
            + " SD-1.5-sized job-step (about 0.39 TFLOP at batch 1 with the backward pass) runs near the"
            + " CPU's arithmetic rate, about 100 GFLOP/s: it is compute-bound and batching can only win"
            + " what larger operators run more efficiently, so the ratio is expected near 1 there and"
            + " must not fall below it. The toy model's job-step (about 1.1 GFLOP) takes about 50 ms"
            + " alone, about 20 GFLOP/s: most of its time is the fixed part, which batching shares. A"
            + " data-centre GPU does 20 to 150 TFLOP/s in float32/TF32: an SD-1.5-sized job-step at the"
            + " default batch 4 and 32×32 latents (about 1.5 TFLOP) is then 10 to 75 ms of arithmetic at"
            + " full use, the same order as the fixed part of a pass (thousands of kernel launches of 5"
            + " to 10 µs each for the forward and backward pass), and a batch of 4 small latents keeps"
            + " most of its multiprocessors idle: the toy model's regime, not the CPU's SD-1.5 one."
            + " Batching K jobs should therefore raise a GPU's job-steps/s by a large part of K until K"
            + " × batch × latent pixels fills the device (tens of 32×32 examples a pass): the GPU"
            + " default is 8 jobs, the CPU default 4.");
    lines.add("");
    lines.add(BenchmarkMachine.describe(loadBefore, loadAfter));
    return String.join("\n", lines);
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The process's peak resident set while open, sampled every 5 ms from /proc/self/status. */
  static final class PeakMemory implements AutoCloseable {
    private final AtomicLong peakKb = new AtomicLong(residentKb());
    private final Thread sampler;
    private volatile boolean open = true;

    PeakMemory() {
      sampler =
          Thread.ofPlatform()
              .daemon(true)
              .name("peak-memory")
              .start(
                  () -> {
                    while (open) {
                      peakKb.accumulateAndGet(residentKb(), Math::max);
                      try {
                        Thread.sleep(5);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
    }

    double megabytes() {
      peakKb.accumulateAndGet(residentKb(), Math::max);
      return peakKb.get() / 1024.0;
    }

    @Override
    public void close() {
      open = false;
      sampler.interrupt();
    }

    static long residentKb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("\\D", ""));
          }
        }
      } catch (IOException e) {
        return 0;
      }
      return 0;
    }
  }
}
