package dev.dti.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.cli.BenchmarkMachine;
import dev.dti.cli.BenchmarksFile;
import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.clip.CLIPTextModelOutput;
import dev.dti.diffusion.clip.CLIPTextModelWithProjection;
import dev.dti.diffusion.clip.CLIPTextModelWithProjectionConfig;
import dev.dti.diffusion.nn.NoGrad;
import dev.dti.diffusion.unet.UNet2DConditionConfig;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13's memory benchmark: one DTI step at SDXL size on the CPU, random weights. SDXL base's
 * UNet (2.57 B parameters) and both text encoders (CLIP ViT-L and OpenCLIP bigG with its
 * text_projection), batch 1, 77 tokens, one placeholder id whose row is injected into EACH encoder.
 * Per latent size: (a) forward of both encoders and the UNet without gradients, (b) forward +
 * backward of MSE(prediction, noise) to the two rows (every weight frozen), their wall times and
 * ratio, and the peak resident memory of each (VmHWM of /proc/self/status, reset before each run
 * through /proc/self/clear_refs). A size whose run is predicted not to fit in the memory the
 * machine has available is skipped and said so, rather than risk the out-of-memory killer.
 *
 * <p>Run: {@code ./mvnw -B -Pbench-sdxl process-test-classes} (see docs/benchmarks.md), or {@code
 * java --enable-native-access=ALL-UNNAMED -Dai.djl.offline=true -cp <classpath>
 * dev.dti.bench.SdxlStepBenchmark [--latents 32,64,96,128] [--doc docs/benchmarks.md]}.
 */
public final class SdxlStepBenchmark {

  static final String HEADING = "SDXL size: memory and time of one DTI step (random weights, CPU)";

  /** SDXL base 1.0's unet/config.json (the keys that differ from diffusers' defaults). */
  public static final String SDXL_UNET_CONFIG =
      """
      {"block_out_channels": [320, 640, 1280], "layers_per_block": 2,
       "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
       "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
       "transformer_layers_per_block": [1, 2, 10], "attention_head_dim": [5, 10, 20],
       "cross_attention_dim": 2048, "addition_embed_type": "text_time",
       "addition_time_embed_dim": 256, "projection_class_embeddings_input_dim": 2816,
       "use_linear_projection": true, "norm_num_groups": 32, "sample_size": 128}
      """;

  /** SDXL's text_encoder: CLIP ViT-L/14's text tower. */
  static final CLIPTextConfig CLIP_L =
      new CLIPTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 0, 2, 1);

  /** SDXL's text_encoder_2: OpenCLIP ViT-bigG/14's text tower, projection 1280 → 1280. */
  static final CLIPTextModelWithProjectionConfig CLIP_G =
      new CLIPTextModelWithProjectionConfig(
          new CLIPTextConfig(49408, 1280, 5120, 32, 20, 77, "gelu", 1e-5, 0, 2, 1), 1280);

  private static final int TOKENS = 77;
  private static final long GIB = 1L << 30;

  /** Headroom left to the rest of the machine when deciding whether a run fits. */
  static final long MARGIN = 3 * GIB / 2;

  private SdxlStepBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Integer> latents = List.of(32, 64, 96, 128);
    Path doc = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--latents" ->
            latents = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--doc" -> doc = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    // If an estimate is wrong, the kernel's out-of-memory killer should pick this process.
    Memory.writeProc("/proc/self/oom_score_adj", "1000");
    String loadBefore = BenchmarkMachine.loadAverage();
    Result result = run(UNet2DConditionConfig.fromJson(SDXL_UNET_CONFIG), CLIP_L, CLIP_G, latents);
    String loadAfter = BenchmarkMachine.loadAverage();
    String body = body(result, latents, loadBefore, loadAfter);
    System.out.println("## " + HEADING + "\n\n" + body);
    if (doc != null) {
      BenchmarksFile.replaceSection(doc, HEADING, body);
      System.out.println("updated " + doc);
    }
  }

  /** One latent size: null times for a run that was skipped, with the reason. */
  record Size(
      int latent,
      long availableBefore,
      Double forwardSeconds,
      Long forwardPeak,
      long predictedBackwardPeak,
      Double backwardSeconds,
      Long backwardPeak,
      String skipped,
      long unetFlops) {}

  record Result(
      long clipLParameters,
      long clipGParameters,
      long unetParameters,
      double buildSeconds,
      long rssBeforeBuild,
      long rssWeights,
      long memTotal,
      List<Size> sizes) {

    long parameters() {
      return clipLParameters + clipGParameters + unetParameters;
    }
  }

  /** Builds the three models with random weights and measures each latent size in turn. */
  static Result run(
      UNet2DConditionConfig config,
      CLIPTextConfig clipLConfig,
      CLIPTextModelWithProjectionConfig clipGConfig,
      List<Integer> latents) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(0);
      long rssBefore = Memory.status("VmRSS");
      long start = System.nanoTime();
      CLIPTextModel clipL;
      CLIPTextModelWithProjection clipG;
      UNet2DConditionModel unet;
      try (NoGrad noGrad = new NoGrad()) {
        clipL = new CLIPTextModel(new NativeRandomParameters(manager), clipLConfig);
        clipG = new CLIPTextModelWithProjection(new NativeRandomParameters(manager), clipGConfig);
        unet = new UNet2DConditionModel(config, new NativeRandomParameters(manager));
      }
      double build = ModelStackBenchmark.seconds(start);
      long rssWeights = Memory.status("VmRSS");
      long clipLCount = count(clipL.parameters().values());
      long clipGCount = count(clipG.parameters().values());
      long unetCount = count(unet.parameters().values());
      System.out.printf(
          Locale.ROOT,
          "built CLIP-L (%,d parameters), CLIP-G (%,d) and the UNet (%,d) in %.1f s; RSS %.2f GiB%n",
          clipLCount,
          clipGCount,
          unetCount,
          build,
          rssWeights / (double) GIB);

      NDArray ids = ModelStackBenchmark.promptIds(manager);
      NDArray rowL =
          manager.randomNormal(0, 0.02f, new Shape(clipLConfig.hiddenSize()), DataType.FLOAT32);
      NDArray rowG =
          manager.randomNormal(
              0, 0.02f, new Shape(clipGConfig.text().hiddenSize()), DataType.FLOAT32);
      Models models = new Models(clipL, clipG, unet, ids);

      List<Size> sizes = new ArrayList<>();
      long measuredLatent = 0;
      long measuredExtra = 0;
      for (int latent : latents) {
        long flops = UNetFlops.forward(config, 1, latent, latent, TOKENS);
        long available = Memory.meminfo("MemAvailable");
        long rssNow = Memory.status("VmRSS");
        long predicted =
            rssWeights + predictBackwardActivations(config, latent, measuredLatent, measuredExtra);
        long forwardNeed = rssWeights + forwardTransient(config, latent);
        if (forwardNeed - rssNow > available - MARGIN) {
          sizes.add(
              new Size(
                  latent,
                  available,
                  null,
                  null,
                  predicted,
                  null,
                  null,
                  String.format(
                      Locale.ROOT,
                      "forward needs ≈ %.1f GiB beyond the %.1f GiB in use, %.1f GiB available",
                      (forwardNeed - rssNow) / (double) GIB,
                      rssNow / (double) GIB,
                      available / (double) GIB),
                  flops));
          continue;
        }
        Inputs inputs = Inputs.create(manager, latent, rowL, rowG);
        Memory.resetPeak();
        double forward = timeForward(models, inputs);
        long forwardPeak = Memory.status("VmHWM");
        System.out.printf(
            Locale.ROOT,
            "latent %d: forward %.2f s, peak RSS %.2f GiB%n",
            latent,
            forward,
            forwardPeak / (double) GIB);

        available = Memory.meminfo("MemAvailable");
        rssNow = Memory.status("VmRSS");
        if (predicted - rssNow > available - MARGIN) {
          sizes.add(
              new Size(
                  latent,
                  available,
                  forward,
                  forwardPeak,
                  predicted,
                  null,
                  null,
                  String.format(
                      Locale.ROOT,
                      "forward + backward predicted to peak at ≈ %.1f GiB: %.1f GiB more than the"
                          + " %.1f GiB in use, with %.1f GiB available",
                      predicted / (double) GIB,
                      (predicted - rssNow) / (double) GIB,
                      rssNow / (double) GIB,
                      available / (double) GIB),
                  flops));
          inputs.close();
          continue;
        }
        Memory.resetPeak();
        double backward = timeForwardBackward(models, inputs);
        long backwardPeak = Memory.status("VmHWM");
        inputs.close();
        System.out.printf(
            Locale.ROOT,
            "latent %d: forward + backward %.2f s, peak RSS %.2f GiB (predicted %.2f GiB)%n",
            latent,
            backward,
            backwardPeak / (double) GIB,
            predicted / (double) GIB);
        sizes.add(
            new Size(
                latent,
                available,
                forward,
                forwardPeak,
                predicted,
                backward,
                backwardPeak,
                null,
                flops));
        measuredLatent = latent;
        measuredExtra = Math.max(0, backwardPeak - rssWeights);
      }
      return new Result(
          clipLCount,
          clipGCount,
          unetCount,
          build,
          rssBefore,
          rssWeights,
          Memory.meminfo("MemTotal"),
          sizes);
    }
  }

  /**
   * Bytes of the attention probabilities autograd keeps for backward: one [heads, T, T] float32
   * tensor per self-attention layer (softmax saves its output, which the product with v reuses), T
   * = the layer's pixel count. Cross-attention's [heads, T, 77] is left out.
   */
  static long savedAttentionBytes(UNet2DConditionConfig config, int latent) {
    long total = 0;
    for (Level level : levels(config, latent)) {
      total += level.layers * level.heads * level.tokens * level.tokens * 4;
    }
    return total;
  }

  /** The largest single self-attention score tensor [heads, T, T] float32 of the UNet. */
  static long largestAttentionBytes(UNet2DConditionConfig config, int latent) {
    long largest = 0;
    for (Level level : levels(config, latent)) {
      if (level.layers > 0) {
        largest = Math.max(largest, level.heads * level.tokens * level.tokens * 4);
      }
    }
    return largest;
  }

  private record Level(long layers, long heads, long tokens) {}

  /** Self-attention layers per resolution level: down, mid and mirrored up blocks. */
  private static List<Level> levels(UNet2DConditionConfig config, int latent) {
    int blocks = config.blockOutChannels().size();
    List<Level> levels = new ArrayList<>();
    for (int i = 0; i < blocks; i++) {
      long side = latent >> i;
      long layers = 0;
      if (config.downBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_ATTN_DOWN)) {
        layers += (long) config.layersPerBlock() * config.transformerLayers(i);
      }
      if (config.upBlockTypes().get(blocks - 1 - i).equals(UNet2DConditionConfig.CROSS_ATTN_UP)) {
        layers += (long) (config.layersPerBlock() + 1) * config.transformerLayers(i);
      }
      if (i == blocks - 1) {
        layers += config.transformerLayers(i);
      }
      levels.add(new Level(layers, config.attentionHeads(i), side * side));
    }
    return levels;
  }

  /**
   * Activation bytes of forward + backward above the weights at {@code latent}: the saved attention
   * probabilities, two more score-sized tensors while one layer's softmax runs backward, and
   * everything else scaled by pixel count from the last measured size (before any measurement: 40
   * KiB per latent pixel, a deliberate overestimate).
   */
  static long predictBackwardActivations(
      UNet2DConditionConfig config, int latent, long measuredLatent, long measuredExtra) {
    long attention =
        savedAttentionBytes(config, latent) + 2 * largestAttentionBytes(config, latent);
    long pixels = (long) latent * latent;
    double perPixel = 1 << 20;
    if (measuredLatent > 0) {
      long measuredAttention =
          savedAttentionBytes(config, (int) measuredLatent)
              + 2 * largestAttentionBytes(config, (int) measuredLatent);
      perPixel =
          Math.max(0, measuredExtra - measuredAttention)
              / (double) (measuredLatent * measuredLatent);
    }
    return attention + (long) (perPixel * pixels);
  }

  /** A forward without gradients: one layer's scores and probabilities plus 4 KiB per pixel. */
  static long forwardTransient(UNet2DConditionConfig config, int latent) {
    return 3 * largestAttentionBytes(config, latent) + 4096L * latent * latent + GIB;
  }

  private record Models(
      CLIPTextModel clipL,
      CLIPTextModelWithProjection clipG,
      UNet2DConditionModel unet,
      NDArray ids) {}

  /** The latent, its noise, timestep, time ids and the two learned rows of one size. */
  private record Inputs(
      NDManager manager,
      NDArray sample,
      NDArray noise,
      NDArray timestep,
      NDArray timeIds,
      NDArray rowL,
      NDArray rowG)
      implements AutoCloseable {

    static Inputs create(NDManager parent, int latent, NDArray rowL, NDArray rowG) {
      NDManager manager = parent.newSubManager();
      float pixels = latent * 8f;
      return new Inputs(
          manager,
          manager.randomNormal(new Shape(1, 4, latent, latent)),
          manager.randomNormal(new Shape(1, 4, latent, latent)),
          manager.create(new long[] {500}),
          manager.create(new float[] {pixels, pixels, 0, 0, pixels, pixels}, new Shape(1, 6)),
          rowL,
          rowG);
    }

    @Override
    public void close() {
      manager.close();
    }
  }

  /** SDXL's conditioning and one UNet prediction, the rows injected at the placeholder. */
  private static NDArray predict(Models m, Inputs in, NDArray rowL, NDArray rowG) {
    NDArray hiddenL =
        m.clipL
            .forward(m.ids, Map.of(ModelStackBenchmark.PLACEHOLDER, rowL))
            .penultimateHiddenState();
    CLIPTextModelOutput g = m.clipG.forward(m.ids, Map.of(ModelStackBenchmark.PLACEHOLDER, rowG));
    NDArray context = hiddenL.concat(g.penultimateHiddenState(), -1);
    return m.unet.forward(in.sample, in.timestep, context, g.textEmbeds(), in.timeIds);
  }

  private static double timeForward(Models models, Inputs in) {
    try (NDScope scope = new NDScope();
        NoGrad noGrad = new NoGrad()) {
      long start = System.nanoTime();
      predict(models, in, in.rowL, in.rowG).sum().getFloat();
      return ModelStackBenchmark.seconds(start);
    }
  }

  /** One DTI step's model work: MSE to the noise, gradients to the two injected rows only. */
  private static double timeForwardBackward(Models models, Inputs in) {
    try (NDScope scope = new NDScope()) {
      NDArray rowL = in.rowL.duplicate();
      NDArray rowG = in.rowG.duplicate();
      rowL.setRequiresGradient(true);
      rowG.setRequiresGradient(true);
      long start = System.nanoTime();
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray error = predict(models, in, rowL, rowG).sub(in.noise);
        collector.backward(error.mul(error).mean());
      }
      float check =
          rowL.getGradient().abs().sum().getFloat() + rowG.getGradient().abs().sum().getFloat();
      double seconds = ModelStackBenchmark.seconds(start);
      if (!(check > 0) || !Float.isFinite(check)) {
        throw new IllegalStateException("the row gradients are zero or not finite: " + check);
      }
      return seconds;
    }
  }

  private static long count(Collection<NDArray> arrays) {
    return arrays.stream().mapToLong(a -> a.getShape().size()).sum();
  }

  /** /proc readings of this process and machine. */
  static final class Memory {

    private Memory() {}

    /** A {@code kB} field of /proc/self/status (VmRSS, VmHWM), in bytes. */
    static long status(String field) {
      return kilobytes(Path.of("/proc/self/status"), field);
    }

    /** A field of /proc/meminfo (MemAvailable, MemTotal), in bytes. */
    static long meminfo(String field) {
      return kilobytes(Path.of("/proc/meminfo"), field);
    }

    /** Resets VmHWM to the current RSS (Linux: "5" to clear_refs). */
    static void resetPeak() {
      writeProc("/proc/self/clear_refs", "5");
    }

    static void writeProc(String file, String value) {
      try {
        Files.writeString(Path.of(file), value);
      } catch (IOException e) {
        throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
      }
    }

    static long kilobytes(Path file, String field) {
      try {
        for (String line : Files.readAllLines(file)) {
          if (line.startsWith(field + ":")) {
            return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim())
                * 1024;
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
      }
      throw new IllegalStateException(file + " has no " + field);
    }
  }

  /** The section's text below its heading. */
  static String body(Result r, List<Integer> latents, String loadBefore, String loadAfter) {
    long unetBytes = r.unetParameters * 4;
    long textBytes = (r.clipLParameters + r.clipGParameters) * 4;
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -Pbench-sdxl -Dbench.sdxl.latents="
            + String.join(",", latents.stream().map(String::valueOf).toList())
            + " process-test-classes` (runs `dev.dti.bench.SdxlStepBenchmark --latents "
            + String.join(",", latents.stream().map(String::valueOf).toList())
            + " --doc docs/benchmarks.md`, which rewrites this section; without"
            + " `-Dbench.sdxl.latents` it measures 32,64,96,128). Needs ≈ 15 GiB of free memory"
            + " for the smallest size; a size predicted not to fit is skipped.");
    lines.add("");
    lines.add(
        "One DTI step's model work at SDXL base 1.0 size, random weights drawn by the engine"
            + " (`NDManager.randomNormal`), float32, CPU, batch 1: `CLIPTextModel` with CLIP ViT-L's"
            + " text config (768 wide, 12 layers, 12 heads, MLP 3072, quick_gelu) and"
            + " `CLIPTextModelWithProjection` with OpenCLIP bigG's (1280 wide, 32 layers, 20 heads,"
            + " MLP 5120, gelu, text_projection 1280 → 1280) encode \"a photo of ⟨placeholder⟩\""
            + " (77 tokens) with one learned row injected at the placeholder id in EACH encoder;"
            + " their hidden_states[-2] are concatenated to [1, 77, 2048], bigG's text_embeds and"
            + " the time ids [8h, 8w, 0, 0, 8h, 8w] feed the `text_time` addition of an SDXL-sized"
            + " `UNet2DConditionModel` (320/640/1280, DownBlock2D + 2 × CrossAttnDownBlock2D,"
            + " transformer_layers_per_block [1, 2, 10], heads [5, 10, 20], linear projections,"
            + " cross_attention_dim 2048), which predicts the noise of an h×w latent. (a) forward"
            + " without gradients; (b) forward + backward of MSE(prediction, noise) to the two rows"
            + " only (all weights frozen, the graph runs through both encoders and the UNet: the"
            + " pooled text_embeds reach every resnet). Each run is timed from the token ids to the"
            + " prediction's (a) or both row gradients' (b) values in Java, once per size. Peak"
            + " memory is the process's resident high-water mark (VmHWM, reset through"
            + " /proc/self/clear_refs before each run): weights, activations, the JVM and"
            + " allocator caches together.");
    lines.add("");
    lines.add("| measurement | value |");
    lines.add("|---|---|");
    lines.add(
        ModelStackBenchmark.row(
            "parameters",
            String.format(
                Locale.ROOT,
                "UNet %,d; text_encoder (CLIP-L) %,d; text_encoder_2 (bigG + projection) %,d;"
                    + " total %,d",
                r.unetParameters,
                r.clipLParameters,
                r.clipGParameters,
                r.parameters())));
    lines.add(
        ModelStackBenchmark.row(
            "weight bytes, float32",
            String.format(
                Locale.ROOT,
                "UNet %.2f GB + encoders %.2f GB = %.2f GB (%.2f GiB); float16: %.2f GB",
                unetBytes / 1e9,
                textBytes / 1e9,
                (unetBytes + textBytes) / 1e9,
                (unetBytes + textBytes) / (double) GIB,
                (unetBytes + textBytes) / 2e9)));
    lines.add(
        ModelStackBenchmark.row(
            "random initialisation",
            String.format(
                Locale.ROOT,
                "%.1f s; resident memory %.2f GiB before, %.2f GiB with the weights",
                r.buildSeconds,
                r.rssBeforeBuild / (double) GIB,
                r.rssWeights / (double) GIB)));
    lines.add(
        ModelStackBenchmark.row(
            "machine memory",
            String.format(Locale.ROOT, "%.1f GiB total", r.memTotal / (double) GIB)));
    lines.add("");
    lines.add(
        "| latent (image) | MemAvailable before (weights loaded) | (a) forward | (a) peak RSS | (b) forward + backward"
            + " | (b) peak RSS | (b) activations (peak − weights) | ratio (b)/(a) | UNet forward"
            + " (analytic) |");
    lines.add("|---|---|---|---|---|---|---|---|---|");
    for (Size s : r.sizes) {
      String activations =
          s.backwardPeak == null
              ? String.format(
                  Locale.ROOT,
                  "predicted ≈ %.1f GiB",
                  (s.predictedBackwardPeak - r.rssWeights) / (double) GIB)
              : String.format(
                  Locale.ROOT,
                  "%.2f GiB (predicted %.2f)",
                  (s.backwardPeak - r.rssWeights) / (double) GIB,
                  (s.predictedBackwardPeak - r.rssWeights) / (double) GIB);
      lines.add(
          "| "
              + String.join(
                  " | ",
                  s.latent + "×" + s.latent + " (" + s.latent * 8 + " px)",
                  gib(s.availableBefore),
                  s.forwardSeconds == null ? "not run" : seconds(s.forwardSeconds),
                  s.forwardPeak == null ? "—" : gib(s.forwardPeak),
                  s.backwardSeconds == null ? "not run" : seconds(s.backwardSeconds),
                  s.backwardPeak == null ? "—" : gib(s.backwardPeak),
                  activations,
                  s.backwardSeconds == null || s.forwardSeconds == null
                      ? "—"
                      : String.format(
                          Locale.ROOT, "**%.2f**", s.backwardSeconds / s.forwardSeconds),
                  String.format(Locale.ROOT, "%.0f GFLOP", s.unetFlops / 1e9))
              + " |");
    }
    for (Size s : r.sizes) {
      if (s.skipped != null) {
        lines.add("");
        lines.add("Not run at " + s.latent + "×" + s.latent + ": " + s.skipped + ".");
      }
    }
    lines.add("");
    lines.add(
        "Predicted activations: the attention probabilities autograd keeps (one [heads, T, T]"
            + " float32 tensor per self-attention layer, T = the layer's pixels; SDXL has 10 such"
            + " layers at h/2 × w/2 and 60 at h/4 × w/4) plus two more of the largest while its"
            + " softmax runs backward, plus the rest scaled by pixel count from the previous measured"
            + " size (`SdxlStepBenchmark.predictBackwardActivations`). The attention part alone at"
            + " 128×128 (1024 px) is "
            + gib(
                savedAttentionBytes(UNet2DConditionConfig.fromJson(SDXL_UNET_CONFIG), 128)
                    + 2
                        * largestAttentionBytes(
                            UNet2DConditionConfig.fromJson(SDXL_UNET_CONFIG), 128))
            + ", at 96×96 (768 px) "
            + gib(
                savedAttentionBytes(UNet2DConditionConfig.fromJson(SDXL_UNET_CONFIG), 96)
                    + 2
                        * largestAttentionBytes(
                            UNet2DConditionConfig.fromJson(SDXL_UNET_CONFIG), 96))
            + ".");
    lines.add("");
    lines.add(BenchmarkMachine.describe(loadBefore, loadAfter));
    lines.add("");
    return String.join("\n", lines);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) GIB);
  }

  private static String seconds(double value) {
    return String.format(Locale.ROOT, "%.1f s", value);
  }
}
