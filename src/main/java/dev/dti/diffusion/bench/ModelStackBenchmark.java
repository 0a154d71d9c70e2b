package dev.dti.diffusion.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue 3's performance benchmark: an SD-1.5-sized UNet with random weights, batch 1, 64×64
 * latents, 77 text tokens of width 768. Measures the median forward time and the median forward +
 * backward-to-the-conditioning time (the textual-inversion step: weights frozen, gradient only to
 * encoder_hidden_states), their ratio, and the forward's analytic FLOPs and GFLOP/s.
 *
 * <p>Run: {@code ./mvnw -B -Pbench process-classes} (see docs/benchmarks.md), or {@code java
 * --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp <classpath>
 * dev.dti.diffusion.bench.ModelStackBenchmark [--repeats N] [--latent 64] [--doc
 * docs/benchmarks.md]}.
 */
public final class ModelStackBenchmark {

  static final String SECTION = "## UNet forward and backward to the conditioning";

  /** SD 1.5's unet/config.json, which equals diffusers' defaults but for cross_attention_dim. */
  static final String SD15_UNET_CONFIG =
      """
      {"block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2,
       "cross_attention_dim": 768, "attention_head_dim": 8, "norm_num_groups": 32,
       "sample_size": 64}
      """;

  private static final int TOKENS = 77;

  private ModelStackBenchmark() {}

  public static void main(String[] args) throws Exception {
    int repeats = 2;
    int latent = 64;
    Path doc = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--latent" -> latent = Integer.parseInt(args[++i]);
        case "--doc" -> doc = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    String loadBefore = loadAverage();
    Result result = run(repeats, latent);
    String loadAfter = loadAverage();
    String section = section(result, repeats, latent, loadBefore, loadAfter);
    System.out.println(section);
    if (doc != null) {
      writeSection(doc, section);
      System.out.println("updated " + doc);
    }
  }

  record Result(
      long parameters,
      double buildSeconds,
      double[] forward,
      double[] forwardBackward,
      long flops) {

    double medianForward() {
      return median(forward);
    }

    double medianForwardBackward() {
      return median(forwardBackward);
    }
  }

  static Result run(int repeats, int latent) {
    UNet2DConditionConfig config = UNet2DConditionConfig.fromJson(SD15_UNET_CONFIG);
    try (NDManager manager = NDManager.newBaseManager()) {
      long start = System.nanoTime();
      UNet2DConditionModel unet =
          new UNet2DConditionModel(config, new InitializedParameters(manager, 0));
      double build = seconds(start);
      long parameters =
          unet.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
      System.out.printf(Locale.ROOT, "built UNet: %,d parameters in %.1f s%n", parameters, build);

      manager.getEngine().setRandomSeed(0);
      NDArray sample = manager.randomNormal(new Shape(1, 4, latent, latent));
      NDArray timestep = manager.create(new long[] {500});
      NDArray text = manager.randomNormal(new Shape(1, TOKENS, config.crossAttentionDim()));
      NDArray noise = manager.randomNormal(new Shape(1, 4, latent, latent));

      double[] forward = new double[repeats];
      double[] forwardBackward = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        forward[r] = timeForward(unet, sample, timestep, text);
        System.out.printf(Locale.ROOT, "forward %d: %.2f s%n", r + 1, forward[r]);
      }
      for (int r = 0; r < repeats; r++) {
        forwardBackward[r] = timeForwardBackward(unet, sample, timestep, text, noise);
        System.out.printf(
            Locale.ROOT, "forward + backward %d: %.2f s%n", r + 1, forwardBackward[r]);
      }
      long flops = UNetFlops.forward(config, 1, latent, latent, TOKENS);
      return new Result(parameters, build, forward, forwardBackward, flops);
    }
  }

  private static double timeForward(
      UNet2DConditionModel unet, NDArray sample, NDArray timestep, NDArray text) {
    try (NDScope scope = new NDScope()) {
      long start = System.nanoTime();
      NDArray prediction = unet.forward(sample, timestep, text);
      prediction.sum().getFloat();
      return seconds(start);
    }
  }

  /** One textual-inversion step's model work: MSE to the noise, gradient to the conditioning. */
  private static double timeForwardBackward(
      UNet2DConditionModel unet, NDArray sample, NDArray timestep, NDArray text, NDArray noise) {
    try (NDScope scope = new NDScope()) {
      NDArray conditioning = text.duplicate();
      conditioning.setRequiresGradient(true);
      long start = System.nanoTime();
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray error = unet.forward(sample, timestep, conditioning).sub(noise);
        collector.backward(error.mul(error).mean());
      }
      conditioning.getGradient().sum().getFloat();
      return seconds(start);
    }
  }

  static String section(
      Result result, int repeats, int latent, String loadBefore, String loadAfter) {
    double forward = result.medianForward();
    double both = result.medianForwardBackward();
    double gflops = result.flops / 1e9;
    return String.join(
        "\n",
        SECTION,
        "",
        "Command: `./mvnw -B -Pbench process-classes` (runs `dev.dti.diffusion.bench.ModelStackBenchmark"
            + " --doc docs/benchmarks.md`, which rewrites this section).",
        "",
        "SD-1.5-sized `UNet2DConditionModel` (block_out_channels 320/640/1280/1280, layers_per_block 2,"
            + " cross_attention_dim 768, 8 heads), random weights (`InitializedParameters`), float32,"
            + " batch 1, "
            + latent
            + "×"
            + latent
            + " latents, "
            + TOKENS
            + " text tokens. Backward goes to `encoder_hidden_states` only (weights frozen), as in a"
            + " textual-inversion step with loss = MSE(prediction, noise). The CLIP text encoder is not"
            + " included: no `dev.dti.diffusion.clip.CLIPTextModel` existed when this was measured.",
        "",
        "| measurement | value |",
        "|---|---|",
        row(
            "parameters",
            String.format(
                Locale.ROOT,
                "%,d (%.2f GB float32)",
                result.parameters,
                result.parameters * 4 / 1e9)),
        row("random initialisation", String.format(Locale.ROOT, "%.1f s", result.buildSeconds)),
        row(
            "forward, median of " + repeats,
            String.format(Locale.ROOT, "%.2f s (runs: %s)", forward, runs(result.forward))),
        row(
            "forward + backward, median of " + repeats,
            String.format(Locale.ROOT, "%.2f s (runs: %s)", both, runs(result.forwardBackward))),
        row(
            "ratio (fwd+bwd)/fwd",
            String.format(
                Locale.ROOT,
                "**%.2f** (goal ≤ 2.2; PyTorch 1.13 eager here: 3.35, UNet + CLIP)",
                both / forward)),
        row(
            "FLOPs of one forward (analytic, `UNetFlops`)",
            String.format(Locale.ROOT, "%.1f GFLOP", gflops)),
        row("achieved, forward", String.format(Locale.ROOT, "%.1f GFLOP/s", gflops / forward)),
        "",
        machine(loadBefore, loadAfter),
        "");
  }

  /** The machine, versions and load a measurement was taken under. */
  static String machine(String loadBefore, String loadAfter) {
    return "Machine: "
        + Runtime.getRuntime().availableProcessors()
        + " cores (nproc), "
        + cpuModel()
        + "; measured "
        + LocalDate.now()
        + "; DJL "
        + Engine.getDjlVersion()
        + ", PyTorch "
        + Engine.getEngine("PyTorch").getVersion()
        + " (CPU), Java "
        + Runtime.version()
        + ". Load average (1/5/15 min) before: "
        + loadBefore
        + ", after: "
        + loadAfter
        + " — above the core count means other processes (other engineers' builds and tests)"
        + " shared the CPU, so times are upper bounds.";
  }

  static String row(String name, String value) {
    return "| " + name + " | " + value + " |";
  }

  static String runs(double[] seconds) {
    List<String> values = new ArrayList<>();
    for (double s : seconds) {
      values.add(String.format(Locale.ROOT, "%.2f s", s));
    }
    return String.join(", ", values);
  }

  /** Replaces this benchmark's section of the document (up to the next "## "), or appends it. */
  static void writeSection(Path doc, String section) throws IOException {
    String text = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n\n";
    int start = text.indexOf(SECTION);
    String body = section.stripTrailing() + "\n";
    String updated;
    if (start < 0) {
      updated = text.stripTrailing() + "\n\n" + body;
    } else {
      int next = text.indexOf("\n## ", start + SECTION.length());
      updated = text.substring(0, start) + body + (next < 0 ? "" : "\n" + text.substring(next + 1));
    }
    Files.createDirectories(doc.toAbsolutePath().getParent());
    Files.writeString(doc, updated);
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join("/", Arrays.copyOf(fields, 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
