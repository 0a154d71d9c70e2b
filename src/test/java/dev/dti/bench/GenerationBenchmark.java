package dev.dti.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.cli.BenchmarkMachine;
import dev.dti.cli.BenchmarksFile;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.scheduler.DDIMScheduler;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.generation.GenerationPlan;
import dev.dti.generation.Renderer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The "Generation" section of docs/benchmarks.md:
 *
 * <ol>
 *   <li>images/s of the whole generation path ({@link Renderer}: tokenizer, CLIP, guided DDIM, VAE,
 *       PNG with metadata) on a model folder, at its resolution and the API's defaults (25 steps,
 *       guidance 7.5);
 *   <li>the time of one guided sampling step of an SD-1.5-sized random-weight UNet on 64×64
 *       latents: cond and uncond in one batch of 2 (what {@code TextToImage} does) against two
 *       batch-1 passes, and their ratio.
 * </ol>
 *
 * <p>Run: {@code ./mvnw -B -Pbench-generation process-test-classes} or {@code java …
 * GenerationBenchmark --model DIR [--images 4] [--steps 25] [--sd-steps 2] [--doc
 * docs/benchmarks.md]}.
 */
public final class GenerationBenchmark {

  static final String HEADING = "Generation";
  private static final int TOKENS = 77;

  private GenerationBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path model = Path.of("models/toy-sd");
    String modelNote = null;
    String note = null;
    int images = 4;
    int steps = 25;
    int sdSteps = 2;
    int sdLatent = 64;
    Path doc = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--model" -> model = Path.of(args[++i]);
        case "--model-note" -> modelNote = args[++i];
        case "--note" -> note = args[++i];
        case "--images" -> images = Integer.parseInt(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--sd-steps" -> sdSteps = Integer.parseInt(args[++i]);
        case "--sd-latent" -> sdLatent = Integer.parseInt(args[++i]);
        case "--doc" -> doc = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    guardMachineMemory();
    String loadBefore = BenchmarkMachine.loadAverage();
    List<String> rows = new ArrayList<>();
    if (Files.isRegularFile(model.resolve("model_index.json"))) {
      rows.addAll(imagesPerSecond(model, images, steps, "default intra-op threads"));
      // With other processes on the cores, libtorch's spinning OpenMP threads can be far slower
      // than one thread: measure both.
      ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
      rows.addAll(imagesPerSecond(model, images, steps, "1 intra-op thread"));
      ai.djl.pytorch.jni.JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
    } else {
      rows.add(ModelStackBenchmark.row("images/s", "not measured: no model folder at " + model));
    }
    rows.forEach(System.out::println);
    if (sdSteps > 0) {
      rows.addAll(sd15Step(sdSteps, sdLatent));
      rows.add(ModelStackBenchmark.row("peak resident memory of this process (VmHWM)", peakRss()));
    } else {
      rows.add(
          ModelStackBenchmark.row(
              "SD-1.5-sized sampling step", "not measured in this run (`--sd-steps 0`)"));
    }
    String loadAfter = BenchmarkMachine.loadAverage();
    String body = body(model, modelNote, rows, loadBefore, loadAfter);
    if (note != null) {
      body = body + "\n\n" + note;
    }
    System.out.println(body);
    if (doc != null) {
      BenchmarksFile.replaceSection(doc, HEADING, body);
      System.out.println("updated " + doc);
    }
  }

  /** Renders one image to warm up, then {@code images} images with seeds 1…n, timed. */
  static List<String> imagesPerSecond(Path dir, int images, int steps, String threads)
      throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(dir, manager);
      int size =
          (model.unet().config().sampleSize() == null ? 64 : model.unet().config().sampleSize())
              * model.vae().config().scaleFactor();
      var plan =
          new GenerationPlan(
              GenerationPlan.GENERATION,
              "a photo of a red circle",
              "",
              steps,
              7.5,
              1,
              size,
              size,
              images,
              "ddim",
              0,
              List.of(),
              null);
      Renderer renderer =
          new Renderer(model, dir.getFileName().toString(), plan, Map.of(), List.of());
      renderer.render(0);
      double[] seconds = new double[images];
      long start = System.nanoTime();
      for (int i = 0; i < images; i++) {
        long one = System.nanoTime();
        renderer.render(i);
        seconds[i] = ModelStackBenchmark.seconds(one);
      }
      double total = ModelStackBenchmark.seconds(start);
      return List.of(
          ModelStackBenchmark.row(
              "images/s, "
                  + threads
                  + " ("
                  + size
                  + "×"
                  + size
                  + ", "
                  + steps
                  + " steps, guidance 7.5, "
                  + images
                  + " images after one warm-up)",
              String.format(
                  Locale.ROOT,
                  "**%.2f** (%.2f s per image; runs: %s)",
                  images / total,
                  total / images,
                  ModelStackBenchmark.runs(seconds))));
    }
  }

  /** One guided DDIM step of an SD-1.5-sized UNet: batch 2 vs two batch-1 passes. */
  static List<String> sd15Step(int steps, int latent) throws IOException {
    UNet2DConditionConfig config =
        UNet2DConditionConfig.fromJson(ModelStackBenchmark.SD15_UNET_CONFIG);
    Path schedulerJson = Files.createTempFile("ddim", ".json");
    Files.writeString(
        schedulerJson,
        """
        {"num_train_timesteps": 1000, "beta_start": 0.00085, "beta_end": 0.012,
         "beta_schedule": "scaled_linear", "set_alpha_to_one": false, "steps_offset": 1,
         "clip_sample": false}
        """);
    DDIMScheduler scheduler =
        new DDIMScheduler(SchedulerConfig.read(schedulerJson, SchedulerConfig.Target.DDIM));
    Files.delete(schedulerJson);
    scheduler.setTimesteps(steps);
    try (NDManager manager = NDManager.newBaseManager()) {
      long build = System.nanoTime();
      UNet2DConditionModel unet =
          new UNet2DConditionModel(config, new InitializedParameters(manager, 0));
      double buildSeconds = ModelStackBenchmark.seconds(build);
      System.out.printf(Locale.ROOT, "built SD-1.5-sized UNet in %.1f s%n", buildSeconds);
      manager.getEngine().setRandomSeed(0);
      NDArray latents = manager.randomNormal(new Shape(1, 4, latent, latent));
      NDArray cond = manager.randomNormal(new Shape(1, TOKENS, config.crossAttentionDim()));
      NDArray uncond = manager.randomNormal(new Shape(1, TOKENS, config.crossAttentionDim()));
      NDArray both = NDArrays.concat(new NDList(uncond, cond), 0);
      NDArray guidance = manager.full(new Shape(), 7.5f, DataType.FLOAT32);
      double[] batched = new double[steps];
      double[] twoPasses = new double[steps];
      int[] timesteps = scheduler.timesteps();
      for (int i = 0; i < steps; i++) {
        int t = timesteps[i];
        try (NDScope scope = new NDScope()) {
          long start = System.nanoTime();
          NDList halves =
              unet.forward(
                      NDArrays.concat(new NDList(latents, latents), 0),
                      manager.create(new long[] {t, t}),
                      both)
                  .split(2, 0);
          NDArray eps = halves.get(0).add(halves.get(1).sub(halves.get(0)).mul(guidance));
          scheduler.step(eps, t, latents).prevSample().sum().getFloat();
          batched[i] = ModelStackBenchmark.seconds(start);
        }
        try (NDScope scope = new NDScope()) {
          long start = System.nanoTime();
          NDArray timestep = manager.create(new long[] {t});
          NDArray epsUncond = unet.forward(latents, timestep, uncond);
          NDArray epsCond = unet.forward(latents, timestep, cond);
          NDArray eps = epsUncond.add(epsCond.sub(epsUncond).mul(guidance));
          scheduler.step(eps, t, latents).prevSample().sum().getFloat();
          twoPasses[i] = ModelStackBenchmark.seconds(start);
        }
        System.out.printf(
            Locale.ROOT,
            "step %d: batch 2 %.2f s, two batch-1 passes %.2f s%n",
            i + 1,
            batched[i],
            twoPasses[i]);
      }
      double b = BenchmarkMachine.median(batched);
      double p = BenchmarkMachine.median(twoPasses);
      return List.of(
          ModelStackBenchmark.row(
              "SD-1.5-sized UNet, "
                  + latent
                  + "×"
                  + latent
                  + " latents: one guided step, cond + uncond batched (batch 2), median of "
                  + steps,
              String.format(
                  Locale.ROOT, "**%.2f s** (runs: %s)", b, ModelStackBenchmark.runs(batched))),
          ModelStackBenchmark.row(
              "the same step as two batch-1 passes, median of " + steps,
              String.format(
                  Locale.ROOT, "%.2f s (runs: %s)", p, ModelStackBenchmark.runs(twoPasses))),
          ModelStackBenchmark.row(
              "two passes / batched",
              String.format(Locale.ROOT, "**%.2f** (> 1: batching is faster)", p / b)),
          ModelStackBenchmark.row(
              "random initialisation of that UNet",
              String.format(Locale.ROOT, "%.1f s", buildSeconds)));
    }
  }

  static String body(
      Path model, String modelNote, List<String> rows, String loadBefore, String loadAfter) {
    return String.join(
        "\n",
        "Command: `./mvnw -B -Pbench-generation process-test-classes` (runs"
            + " `dev.dti.bench.GenerationBenchmark --doc docs/benchmarks.md`, which rewrites"
            + " this section).",
        "",
        "images/s: the whole path of a generation request without HTTP and database (per-request"
            + " tokenizer, CLIP, DDIM with classifier-free guidance, VAE decode, PNG with tEXt metadata),"
            + " one image at a time as the API renders them, on the model folder `"
            + model
            + "`"
            + (modelNote == null ? "" : " (" + modelNote + ")")
            + ". Sampling step: an SD-1.5-sized `UNet2DConditionModel` (320/640/1280/1280, random"
            + " weights, float32) with 77×768 text conditioning; a step is the UNet"
            + " work, the guidance combination and the DDIM update. The CLIP text encoder and the VAE"
            + " run once per image and are not in the step.",
        "",
        "| measurement | value |",
        "|---|---|",
        String.join("\n", rows),
        "",
        BenchmarkMachine.describe(loadBefore, loadAfter));
  }

  /**
   * The SD-1.5-sized batch-2 step at 64×64 peaks near 7 GB (it needed more than 13 GB before the
   * layers freed their intermediates): on a shared machine, stop this benchmark before the kernel's
   * OOM killer picks someone else's process.
   */
  private static void guardMachineMemory() {
    Thread.ofPlatform()
        .daemon(true)
        .name("memory-guard")
        .start(
            () -> {
              while (true) {
                long availableKb = memAvailableKb();
                if (availableKb >= 0 && availableKb < 1_500_000) {
                  System.err.println(
                      "aborted: the machine has only " + availableKb / 1024 + " MB of memory left");
                  Runtime.getRuntime().halt(3);
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  private static long memAvailableKb() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(line -> line.startsWith("MemAvailable:"))
          .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
          .findFirst()
          .orElse(-1L);
    } catch (IOException e) {
      return -1;
    }
  }

  private static String peakRss() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("VmHWM:"))
          .map(line -> line.substring(6).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
