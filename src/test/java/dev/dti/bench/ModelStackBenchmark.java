package dev.dti.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.cli.BenchmarkMachine;
import dev.dti.cli.BenchmarksFile;
import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 3's performance benchmark: the model work of one DTI step at Stable Diffusion 1.5 size. A
 * CLIP ViT-L-sized text encoder and an SD-1.5-sized UNet, both with random weights, batch 1, 64×64
 * latents, 77 tokens, one placeholder token whose row is injected through {@link
 * CLIPTextModel#forward(NDArray, Map)}. Measures, interleaved, (a) text encoder + UNet forward
 * without gradients and (b) forward + backward of MSE(prediction, noise) to the injected row (every
 * weight frozen), their medians and ratio, and the analytic FLOPs and GFLOP/s of the forward.
 *
 * <p>Run: {@code ./mvnw -B -Pbench process-test-classes} (see docs/benchmarks.md), or {@code java
 * --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp <classpath>
 * dev.dti.bench.ModelStackBenchmark [--repeats N] [--latent 64] [--doc docs/benchmarks.md]}.
 */
public final class ModelStackBenchmark {

  static final String HEADING =
      "Model stack: text encoder + UNet, forward and backward to the injected row";

  /** SD 1.5's unet/config.json, which equals diffusers' defaults but for cross_attention_dim. */
  public static final String SD15_UNET_CONFIG =
      """
      {"block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2,
       "cross_attention_dim": 768, "attention_head_dim": 8, "norm_num_groups": 32,
       "sample_size": 64}
      """;

  /** SD 1.5's text_encoder/config.json (CLIP ViT-L/14's text tower; legacy eos id 2). */
  static final CLIPTextConfig VIT_L_TEXT =
      new CLIPTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 0, 2, 1);

  private static final int TOKENS = 77;

  /** The learned token: one id past the vocabulary, as a fresh placeholder gets. */
  static final int PLACEHOLDER = 49408;

  /** "a photo of <placeholder>" as CLIP's tokenizer gives it, padded with end-of-text. */
  static final long[] PROMPT = {49406, 320, 1125, 539, PLACEHOLDER, 49407};

  private ModelStackBenchmark() {}

  public static void main(String[] args) throws Exception {
    int repeats = 3;
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
    String loadBefore = BenchmarkMachine.loadAverage();
    Result result = run(repeats, latent);
    String loadAfter = BenchmarkMachine.loadAverage();
    String body = body(result, latent, loadBefore, loadAfter);
    System.out.println("## " + HEADING + "\n\n" + body);
    if (doc != null) {
      BenchmarksFile.replaceSection(doc, HEADING, body);
      System.out.println("updated " + doc);
    }
  }

  record Result(
      long textParameters,
      long unetParameters,
      double buildSeconds,
      double[] forward,
      double[] forwardBackward,
      long textFlops,
      long unetFlops) {

    double medianForward() {
      return BenchmarkMachine.median(forward);
    }

    double medianForwardBackward() {
      return BenchmarkMachine.median(forwardBackward);
    }
  }

  static Result run(int repeats, int latent) {
    UNet2DConditionConfig config = UNet2DConditionConfig.fromJson(SD15_UNET_CONFIG);
    try (NDManager manager = NDManager.newBaseManager()) {
      long start = System.nanoTime();
      CLIPTextModel text = new CLIPTextModel(new InitializedParameters(manager, 1), VIT_L_TEXT);
      UNet2DConditionModel unet =
          new UNet2DConditionModel(config, new InitializedParameters(manager, 0));
      double build = seconds(start);
      long textParameters = count(text.parameters().values());
      long unetParameters = count(unet.parameters().values());
      System.out.printf(
          Locale.ROOT,
          "built text encoder (%,d parameters) and UNet (%,d) in %.1f s%n",
          textParameters,
          unetParameters,
          build);

      manager.getEngine().setRandomSeed(0);
      Inputs inputs =
          new Inputs(
              promptIds(manager),
              manager.randomNormal(new Shape(VIT_L_TEXT.hiddenSize())).mul(0.02f),
              manager.randomNormal(new Shape(1, 4, latent, latent)),
              manager.create(new long[] {500}),
              manager.randomNormal(new Shape(1, 4, latent, latent)));

      double[] forward = new double[repeats];
      double[] forwardBackward = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        // A B B A …: neither variant always runs first, so a drifting load favours neither.
        boolean forwardFirst = r % 2 == 0;
        for (int k = 0; k < 2; k++) {
          if ((k == 0) == forwardFirst) {
            forward[r] = timeForward(text, unet, inputs);
            System.out.printf(Locale.ROOT, "forward %d: %.2f s%n", r + 1, forward[r]);
          } else {
            forwardBackward[r] = timeForwardBackward(text, unet, inputs);
            System.out.printf(
                Locale.ROOT, "forward + backward %d: %.2f s%n", r + 1, forwardBackward[r]);
          }
        }
      }
      return new Result(
          textParameters,
          unetParameters,
          build,
          forward,
          forwardBackward,
          CLIPTextFlops.forward(VIT_L_TEXT, 1, TOKENS),
          UNetFlops.forward(config, 1, latent, latent, TOKENS));
    }
  }

  /** What both variants feed the model: one prompt, one learned row, one noisy latent. */
  private record Inputs(
      NDArray ids, NDArray row, NDArray sample, NDArray timestep, NDArray noise) {}

  static NDArray promptIds(NDManager manager) {
    long[] ids = new long[TOKENS];
    Arrays.fill(ids, PROMPT[PROMPT.length - 1]);
    System.arraycopy(PROMPT, 0, ids, 0, PROMPT.length);
    return manager.create(ids, new Shape(1, TOKENS));
  }

  private static double timeForward(CLIPTextModel text, UNet2DConditionModel unet, Inputs in) {
    try (NDScope scope = new NDScope()) {
      long start = System.nanoTime();
      NDArray hidden = text.forward(in.ids, Map.of(PLACEHOLDER, in.row)).lastHiddenState();
      NDArray prediction = unet.forward(in.sample, in.timestep, hidden);
      prediction.sum().getFloat();
      return seconds(start);
    }
  }

  /** One DTI step's model work: MSE to the noise, gradient to the injected row only. */
  private static double timeForwardBackward(
      CLIPTextModel text, UNet2DConditionModel unet, Inputs in) {
    try (NDScope scope = new NDScope()) {
      NDArray row = in.row.duplicate();
      row.setRequiresGradient(true);
      long start = System.nanoTime();
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray hidden = text.forward(in.ids, Map.of(PLACEHOLDER, row)).lastHiddenState();
        NDArray error = unet.forward(in.sample, in.timestep, hidden).sub(in.noise);
        collector.backward(error.mul(error).mean());
      }
      row.getGradient().sum().getFloat();
      return seconds(start);
    }
  }

  private static long count(Collection<NDArray> arrays) {
    return arrays.stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** The section's text below its heading. */
  static String body(Result result, int latent, String loadBefore, String loadAfter) {
    double forward = result.medianForward();
    double both = result.medianForwardBackward();
    double unetGflop = result.unetFlops / 1e9;
    double totalGflop = (result.unetFlops + result.textFlops) / 1e9;
    int n = result.forward.length;
    return String.join(
        "\n",
        "Command: `./mvnw -B -Pbench process-test-classes` (runs"
            + " `dev.dti.bench.ModelStackBenchmark --repeats 3 --doc docs/benchmarks.md`,"
            + " which rewrites this section; `-Dbench.repeats=N` changes the repeats).",
        "",
        "The model work of one DTI step at Stable Diffusion 1.5 size, random weights"
            + " (`InitializedParameters`), float32, batch 1: a CLIP ViT-L-sized `CLIPTextModel`"
            + " (vocab 49408, width 768, 12 layers, 12 heads, 77 positions, quick_gelu) encodes"
            + " \"a photo of ⟨placeholder⟩\" padded to 77 tokens, the placeholder's row injected"
            + " through `CLIPTextModel.forward(ids, rows)`; an SD-1.5-sized `UNet2DConditionModel`"
            + " (320/640/1280/1280, 2 layers a block, cross_attention_dim 768, 8 heads) predicts the"
            + " noise of "
            + latent
            + "×"
            + latent
            + " latents. (a) forward of both without gradients; (b) forward + backward of"
            + " MSE(prediction, noise) to the injected row only (all weights frozen). (a) and (b)"
            + " alternate A B B A … in one process; each run is timed from the token ids to the"
            + " prediction's (a) or the row gradient's (b) values in Java.",
        "",
        "| measurement | value |",
        "|---|---|",
        row(
            "parameters",
            String.format(
                Locale.ROOT,
                "text encoder %,d + UNet %,d (%.2f GB float32)",
                result.textParameters,
                result.unetParameters,
                (result.textParameters + result.unetParameters) * 4 / 1e9)),
        row("random initialisation", String.format(Locale.ROOT, "%.1f s", result.buildSeconds)),
        row(
            "(a) forward, median of " + n,
            String.format(Locale.ROOT, "%.2f s (runs: %s)", forward, runs(result.forward))),
        row(
            "(b) forward + backward to the row, median of " + n,
            String.format(Locale.ROOT, "%.2f s (runs: %s)", both, runs(result.forwardBackward))),
        row(
            "ratio (b)/(a)",
            String.format(
                Locale.ROOT,
                "**%.2f** (goal ≤ 2.2; PyTorch 1.13 eager on this machine: 3.35, same stack)",
                both / forward)),
        row("(b)/(a) within each round, in run order", pairedRatios(result)),
        row(
            "FLOPs of one UNet forward (analytic, `UNetFlops`)",
            String.format(Locale.ROOT, "%.1f GFLOP", unetGflop)),
        row(
            "FLOPs of one text encoder forward (analytic, `CLIPTextFlops`)",
            String.format(Locale.ROOT, "%.1f GFLOP", result.textFlops / 1e9)),
        row(
            "achieved, (a)",
            String.format(
                Locale.ROOT,
                "%.1f GFLOP/s (text encoder + UNet, %.1f GFLOP in %.2f s)",
                totalGflop / forward,
                totalGflop,
                forward)),
        "",
        BenchmarkMachine.describe(loadBefore, loadAfter),
        "");
  }

  public static String row(String name, String value) {
    return "| " + name + " | " + value + " |";
  }

  /** Each round's (b)/(a): the pairs ran back to back, so a load change shows as an outlier. */
  private static String pairedRatios(Result result) {
    List<String> values = new ArrayList<>();
    for (int r = 0; r < result.forward.length; r++) {
      values.add(String.format(Locale.ROOT, "%.2f", result.forwardBackward[r] / result.forward[r]));
    }
    return String.join(", ", values);
  }

  public static String runs(double[] seconds) {
    List<String> values = new ArrayList<>();
    for (double s : seconds) {
      values.add(String.format(Locale.ROOT, "%.2f s", s));
    }
    return String.join(", ", values);
  }

  public static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
