package dev.dti.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.CheckpointParameters;
import dev.dti.job.GradientLock;
import dev.dti.support.Golden;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gradients through the frozen text encoder reach the injected token rows, and only them. PyTorch
 * allows one active GradientCollector per JVM: each is opened under the project's GradientLock.
 */
class CLIPTextModelGradientTest {

  /** Placeholder ids above the golden model's vocabulary of 1000. */
  private static final int PLACEHOLDER = 1000;

  private static final int SECOND_PLACEHOLDER = 1001;
  private static final int ABSENT_PLACEHOLDER = 1002;

  /** Golden input_ids with 997 (row 0, position 5) → 1000 and 73 (row 1, position 3) → 1001. */
  private static final long[] IDS = {
    998,
    17,
    245,
    380,
    52,
    PLACEHOLDER,
    611,
    999,
    999,
    999,
    999,
    999,
    999,
    999,
    999,
    999,
    998,
    3,
    412,
    SECOND_PLACEHOLDER,
    856,
    120,
    64,
    300,
    701,
    45,
    9,
    500,
    999,
    0,
    0,
    0
  };

  private static int threadsBefore;
  private static NDManager manager;
  private static CLIPTextModel model;
  private static CLIPTextModel model64;
  private static float[] tiEmbedding;

  @BeforeAll
  static void load() throws IOException {
    // A model this small is all thread hand-offs: on the shared 2-core machine one intra-op thread
    // runs the 1,000 steps in ~10 s instead of ~230 s.
    // The default that setNumThreads overrides: the property, else the core count.
    threadsBefore =
        Integer.getInteger(
            "ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors());
    Engine.getInstance(); // loads the native library JniUtils calls into
    JniUtils.setNumThreads(1);
    Path dir = Golden.dir("clip_text");
    manager = NDManager.newBaseManager();
    model = CLIPTextModel.fromPretrained(dir, manager);
    CLIPTextConfig config = CLIPTextConfig.read(dir.resolve("config.json"));
    try (var weights = SafetensorsFile.open(dir.resolve("model.safetensors"));
        var inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"))) {
      model64 =
          new CLIPTextModel(
              new Float64Parameters(new CheckpointParameters(weights, manager)), config);
      tiEmbedding = inputs.load(manager, "ti_embedding").toFloatArray();
    }
  }

  @AfterAll
  static void close() {
    manager.close();
    JniUtils.setNumThreads(threadsBefore);
  }

  @Test
  void gradientOfInjectedRowsMatchesCentralFiniteDifferencesInFloat64() throws Exception {
    double[][] rows = {toDouble(tiEmbedding), randomRow(7, 0.1)};
    try (NDManager step = manager.newSubManager()) {
      LossProbe probe = new LossProbe(step, DataType.FLOAT64);
      NDArray first = step.create(rows[0]);
      NDArray second = step.create(rows[1]);
      NDArray absent = step.create(randomRow(8, 0.1));
      for (NDArray row : new NDArray[] {first, second, absent}) {
        row.setRequiresGradient(true);
      }
      try (GradientLock.Held held = GradientLock.jvmWide().acquire();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        collector.backward(probe.loss(model64, injected(first, second, absent)));
      }
      double[][] analytic = {
        first.getGradient().toDoubleArray(), second.getGradient().toDoubleArray()
      };
      assertThat(absent.getGradient().toDoubleArray()).containsOnly(0.0);

      // h = 1e-5: truncation error ~h² and round-off ~1e-16/h both far below the tolerance.
      double h = 1e-5;
      double worst = 0;
      double largest = 0;
      for (int r = 0; r < 2; r++) {
        for (int j = 0; j < rows[r].length; j++) {
          double[][] plus = copy(rows);
          double[][] minus = copy(rows);
          plus[r][j] += h;
          minus[r][j] -= h;
          double numeric = (probe.value(model64, plus) - probe.value(model64, minus)) / (2 * h);
          worst = Math.max(worst, Math.abs(numeric - analytic[r][j]));
          largest = Math.max(largest, Math.abs(numeric));
        }
      }
      System.out.printf(
          "clip_text float64 d(loss)/d(rows) vs central differences: max |diff| = %.3e"
              + " (largest |gradient| %.3e)%n",
          worst, largest);
      assertThat(largest).isGreaterThan(0.1);
      assertThat(worst).isLessThanOrEqualTo(1e-7 * largest);
    }
  }

  @Test
  void float32GradientAgreesWithTheFloat64Gradient() throws Exception {
    double[] g32 = gradientOfFirstRow(model, DataType.FLOAT32, false);
    double[] g64 = gradientOfFirstRow(model64, DataType.FLOAT64, false);
    double worst = 0;
    double largest = 0;
    for (int j = 0; j < g32.length; j++) {
      worst = Math.max(worst, Math.abs(g32[j] - g64[j]));
      largest = Math.max(largest, Math.abs(g64[j]));
    }
    System.out.printf("clip_text float32 vs float64 gradient: max |diff| = %.3e%n", worst);
    assertThat(worst).isLessThanOrEqualTo(1e-5 * largest);
  }

  @Test
  void frozenWeightsNeitherRequireNorReceiveGradients() throws Exception {
    gradientOfFirstRow(model, DataType.FLOAT32, false);
    assertThat(model.parameters()).hasSize(52);
    for (Map.Entry<String, NDArray> weight : model.parameters().entrySet()) {
      // hasGradient() is PyTorch's requires_grad; getGradient() refuses arrays without it.
      assertThat(weight.getValue().hasGradient()).as(weight.getKey()).isFalse();
      assertThatThrownBy(weight.getValue()::getGradient)
          .as(weight.getKey())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void gradientIsUnchangedWhenGarbageCollectionRunsBetweenForwardAndBackward() throws Exception {
    double[] reference = gradientOfFirstRow(model, DataType.FLOAT32, false);
    for (int trial = 0; trial < 3; trial++) {
      assertThat(gradientOfFirstRow(model, DataType.FLOAT32, true))
          .as("trial " + trial)
          .containsExactly(reference);
    }
  }

  @Test
  void thousandForwardBackwardStepsInPerStepScopesDoNotGrowNativeMemory() throws Exception {
    NDArray row = manager.create(tiEmbedding);
    row.setRequiresGradient(true);
    LossProbe probe;
    long before = 0;
    long heapBefore = 0;
    int arraysBefore = 0;
    int warmUp = 100;
    int steps = 1000;
    try (GradientLock.Held held = GradientLock.jvmWide().acquire();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      for (int i = 0; i < warmUp + steps; i++) {
        if (i == warmUp) {
          System.gc();
          before = residentSetKb();
          heapBefore = Runtime.getRuntime().totalMemory() / 1024;
          arraysBefore = manager.getManagedArrays().size();
        }
        try (NDScope scope = new NDScope()) {
          probe = new LossProbe(manager, DataType.FLOAT32);
          collector.backward(probe.loss(model, withFixedSecondRow(row, manager)));
          NDArray gradient = row.getGradient();
          assertThat(Float.isFinite(gradient.sum().getFloat())).isTrue();
          gradient.subi(gradient); // gradients accumulate across backward calls
        }
      }
    }
    System.gc();
    long growthKb = residentSetKb() - before;
    // RSS includes the Java heap, which G1 may shrink after the collection; the flat array count
    // below is the direct check that no native tensor outlives its step.
    long heapGrowthKb = Runtime.getRuntime().totalMemory() / 1024 - heapBefore;
    System.out.printf(
        "clip_text %d forward/backward steps after %d warm-up: VmRSS growth %d kB"
            + " (committed Java heap %+d kB)%n",
        steps, warmUp, growthKb, heapGrowthKb);
    assertThat(growthKb).isLessThan(50 * 1024);
    assertThat(manager.getManagedArrays()).hasSize(arraysBefore);
    row.close();
  }

  private static double[] gradientOfFirstRow(
      CLIPTextModel encoder, DataType dtype, boolean collectGarbageBeforeBackward)
      throws InterruptedException {
    try (NDManager step = manager.newSubManager()) {
      NDArray row = step.create(tiEmbedding).toType(dtype, false);
      row.setRequiresGradient(true);
      try (GradientLock.Held held = GradientLock.jvmWide().acquire();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray loss = new LossProbe(step, dtype).loss(encoder, withFixedSecondRow(row, step));
        if (collectGarbageBeforeBackward) {
          collectGarbageUnderPressure();
        }
        collector.backward(loss);
      }
      return row.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    }
  }

  /**
   * A scalar that depends on every output: Σ last_hidden_state ⊙ W + Σ pooled ⊙ V with fixed random
   * W and V, built from tensor-tensor ops only.
   */
  private static final class LossProbe {
    private final NDManager manager;
    private final NDArray ids;
    private final NDArray lastWeights;
    private final NDArray pooledWeights;

    LossProbe(NDManager manager, DataType dtype) {
      this.manager = manager;
      this.ids = manager.create(IDS, new Shape(2, 16));
      this.lastWeights =
          manager.create(randomValues(11, 2 * 16 * 32), new Shape(2, 16, 32)).toType(dtype, false);
      this.pooledWeights =
          manager.create(randomValues(12, 2 * 32), new Shape(2, 32)).toType(dtype, false);
    }

    NDArray loss(CLIPTextModel encoder, Map<Integer, NDArray> rows) {
      CLIPTextOutput out = encoder.forward(ids, rows);
      return out.lastHiddenState()
          .mul(lastWeights)
          .sum()
          .add(out.pooledOutput().mul(pooledWeights).sum());
    }

    double value(CLIPTextModel encoder, double[][] rows) {
      try (NDScope scope = new NDScope()) {
        return loss(encoder, injected(manager.create(rows[0]), manager.create(rows[1]), null))
            .getDouble();
      }
    }
  }

  /** The row under test at {@link #PLACEHOLDER}; a constant row at the second placeholder. */
  private static Map<Integer, NDArray> withFixedSecondRow(NDArray row, NDManager owner) {
    NDArray second = owner.create(randomRow(7, 0.1)).toType(row.getDataType(), false);
    return injected(row, second, null);
  }

  private static Map<Integer, NDArray> injected(NDArray first, NDArray second, NDArray absent) {
    Map<Integer, NDArray> rows = new LinkedHashMap<>();
    rows.put(PLACEHOLDER, first);
    rows.put(SECOND_PLACEHOLDER, second);
    if (absent != null) {
      rows.put(ABSENT_PLACEHOLDER, absent);
    }
    return rows;
  }

  /** Allocation pressure on the heap and in direct buffers, then several collections. */
  private static void collectGarbageUnderPressure() {
    for (int round = 0; round < 5; round++) {
      byte[][] heap = new byte[32][];
      for (int i = 0; i < heap.length; i++) {
        heap[i] = new byte[1 << 20];
        ByteBuffer.allocateDirect(1 << 16);
      }
      System.gc();
      try {
        Thread.sleep(20); // lets the Cleaner thread free unreachable direct buffers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static long residentSetKb() {
    try {
      Matcher m =
          Pattern.compile("VmRSS:\\s+(\\d+) kB")
              .matcher(Files.readString(Path.of("/proc/self/status")));
      if (!m.find()) {
        throw new IllegalStateException("no VmRSS in /proc/self/status");
      }
      return Long.parseLong(m.group(1));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static float[] randomValues(long seed, int n) {
    Random random = new Random(seed);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static double[] randomRow(long seed, double std) {
    Random random = new Random(seed);
    double[] row = new double[32];
    for (int i = 0; i < row.length; i++) {
      row[i] = random.nextGaussian() * std;
    }
    return row;
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static double[][] copy(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
    }
    return out;
  }
}
