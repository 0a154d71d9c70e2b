package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.GradientLock;
import dev.dti.support.TinyModelFolder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several runs trained in one batched pass ({@link ConceptTrainer#step}) against the same runs
 * trained alone, on the tiny golden model.
 */
class BatchedStepTest {

  /**
   * How far a run's rows and losses may drift from its run alone when it shares passes: the batched
   * kernels sum in another order. Measured on this model: ≤ 1e-7 after six steps.
   */
  private static final double REASSOCIATION = 1e-5;

  @TempDir static Path modelDir;
  static NDManager manager;
  static StableDiffusionModel model;

  @BeforeAll
  static void loadTinyModel() throws Exception {
    manager = NDManager.newBaseManager();
    model = StableDiffusionModel.load(TinyModelFolder.create(modelDir), manager);
  }

  @AfterAll
  static void free() {
    manager.close();
  }

  @Test
  void threeRunsOfDifferentMethodsBatchSizesVectorsAndLengthsEndTogetherWithTheirRowsAlone()
      throws Exception {
    List<TrainingRequest> requests =
        List.of(
            request(TrainingMethod.DTI, 6, 2, 2, 1),
            request(TrainingMethod.TI, 4, 3, 1, 2),
            request(TrainingMethod.DTI, 5, 1, 3, 3));
    List<TrainingResult> alone = new ArrayList<>();
    for (TrainingRequest request : requests) {
      alone.add(trainer().train(request, null, new Quiet()));
    }

    List<TrainingRun> runs = requests.stream().map(r -> trainer().start(r, null)).toList();
    Map<TrainingRun, List<TrainingProgress>> progress = trainTogether(runs);

    double maxRow = 0;
    double maxLoss = 0;
    for (int i = 0; i < runs.size(); i++) {
      TrainingResult together = runs.get(i).result();
      assertThat(together.rows().length).isEqualTo(alone.get(i).rows().length);
      maxRow = Math.max(maxRow, maxAbsDifference(together.rows(), alone.get(i).rows()));
      maxLoss =
          Math.max(
              maxLoss,
              maxAbsDifference(
                  new float[][] {together.lossHistory()},
                  new float[][] {alone.get(i).lossHistory()}));
      assertThat(progress.get(runs.get(i))).hasSize(requests.get(i).steps());
    }
    System.out.printf(
        "three runs together vs alone: max |Δrow| %.3g, max |Δloss| %.3g%n", maxRow, maxLoss);
    assertThat(maxRow).isLessThanOrEqualTo(REASSOCIATION);
    assertThat(maxLoss).isLessThanOrEqualTo(REASSOCIATION);
    for (int i : new int[] {0, 2}) {
      for (TrainingProgress p : progress.get(runs.get(i))) {
        double m = p.encoders().get(Embedding.TEXT_ENCODER).normM();
        for (float[] row : p.rows()) {
          assertThat(Rows.norm(row)).isCloseTo(m, within(1e-6 * m));
        }
      }
    }
  }

  @Test
  void aRunWhoseRowsOverflowFailsAloneAndItsPartnerEndsWithItsRowsAlone() throws Exception {
    TrainingRequest partner = request(TrainingMethod.DTI, 4, 2, 1, 5);
    TrainingRequest overflowing =
        TrainingRequest.builder(TrainingMethod.TI, "<big>", "a", images())
            .steps(4)
            .batchSize(2)
            .learningRate(1e39) // one AdamW step moves every coordinate by ±1e39: beyond float32
            .build();
    TrainingResult alone = trainer().train(partner, null, new Quiet());

    TrainingRun partnerRun = trainer().start(partner, null);
    TrainingRun failing = trainer().start(overflowing, null);
    List<StepOutcome> first = trainer().step(List.of(partnerRun, failing));

    assertThat(first.get(0)).isInstanceOf(StepOutcome.Advanced.class);
    assertThat(first.get(1)).isInstanceOf(StepOutcome.Diverged.class);
    assertThat(((StepOutcome.Diverged) first.get(1)).error())
        .hasMessage("a learned row became NaN or infinite at step 1");
    assertThat(failing.failure()).isNotNull();
    assertThatThrownBy(() -> trainer().step(List.of(partnerRun, failing)))
        .isInstanceOf(IllegalStateException.class);
    trainTogether(List.of(partnerRun));
    assertThat(maxAbsDifference(partnerRun.result().rows(), alone.rows()))
        .isLessThanOrEqualTo(REASSOCIATION);
  }

  @Test
  void aRunWhoseLossBecomesInfiniteFailsAloneAndItsPartnerEndsWithItsRowsAlone() throws Exception {
    TrainingRequest partner = request(TrainingMethod.TI, 3, 2, 1, 6);
    // Rows of ±1e20 are finite, but their squares overflow float32 in the text encoder.
    TrainingRequest exploding =
        TrainingRequest.builder(TrainingMethod.TI, "<big>", "a", images())
            .steps(3)
            .batchSize(2)
            .learningRate(1e20)
            .build();
    TrainingResult alone = trainer().train(partner, null, new Quiet());

    TrainingRun partnerRun = trainer().start(partner, null);
    TrainingRun failing = trainer().start(exploding, null);
    List<StepOutcome> outcomes = new ArrayList<>();
    List<TrainingRun> active = new ArrayList<>(List.of(partnerRun, failing));
    while (!active.isEmpty()) {
      for (StepOutcome outcome : trainer().step(active)) {
        outcomes.add(outcome);
        if (outcome instanceof StepOutcome.Diverged || outcome.run().isDone()) {
          active.remove(outcome.run());
        }
      }
    }

    StepOutcome last = outcomes.stream().filter(o -> o.run() == failing).toList().getLast();
    assertThat(last).isInstanceOf(StepOutcome.Diverged.class);
    assertThat(((StepOutcome.Diverged) last).error())
        .hasMessage("the loss became NaN at step 2; try a lower learning rate");
    assertThat(partnerRun.isDone()).isTrue();
    assertThat(maxAbsDifference(partnerRun.result().rows(), alone.rows()))
        .isLessThanOrEqualTo(REASSOCIATION);
  }

  @Test
  void aRunCheckpointedAfterSharedPassesResumesAloneExactlyAsItContinuesAlone() throws Exception {
    TrainingRequest request = request(TrainingMethod.TI, 6, 2, 1, 8);
    TrainingRun run = trainer().start(request, null);
    TrainingRun partner = trainer().start(request(TrainingMethod.DTI, 3, 3, 2, 9), null);
    for (int i = 0; i < 3; i++) {
      trainer().step(List.of(run, partner));
    }
    TrainingCheckpoint atStep3 = run.checkpoint();
    trainTogether(List.of(run));

    TrainingRun resumed = trainer().start(request, atStep3);
    trainTogether(List.of(resumed));

    assertThat(resumed.result().rows()).isDeepEqualTo(run.result().rows());
    assertThat(resumed.result().lossHistory()).containsExactly(run.result().lossHistory());
  }

  @Test
  void runsOfDifferentModelsCannotShareAStep() throws Exception {
    try (NDManager other = NDManager.newBaseManager()) {
      StableDiffusionModel copy = StableDiffusionModel.load(modelDir, other);
      TrainingRun here = trainer().start(request(TrainingMethod.DTI, 2, 1, 1, 1), null);
      TrainingRun there =
          new ConceptTrainer(copy, GradientLock.jvmWide(), 1)
              .start(request(TrainingMethod.DTI, 2, 1, 1, 1), null);

      assertThat(here.canShareWith(there)).isFalse();
      assertThat(here.canShareWith(trainer().start(request(TrainingMethod.TI, 2, 4, 1, 2), null)))
          .isTrue();
      assertThatThrownBy(() -> trainer().step(List.of(here, there)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot share a step");
    }
  }

  /** Steps the runs together, each leaving when done, until all are done; all must advance. */
  private static Map<TrainingRun, List<TrainingProgress>> trainTogether(List<TrainingRun> runs)
      throws InterruptedException {
    Map<TrainingRun, List<TrainingProgress>> progress = new HashMap<>();
    List<TrainingRun> active = new ArrayList<>(runs);
    while (!active.isEmpty()) {
      for (StepOutcome outcome : trainer().step(active)) {
        assertThat(outcome).isInstanceOf(StepOutcome.Advanced.class);
        progress
            .computeIfAbsent(outcome.run(), r -> new ArrayList<>())
            .add(((StepOutcome.Advanced) outcome).progress());
      }
      active.removeIf(TrainingRun::isDone);
    }
    return progress;
  }

  static double maxAbsDifference(float[][] a, float[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  private static ConceptTrainer trainer() {
    return new ConceptTrainer(model, GradientLock.jvmWide(), 2);
  }

  private static TrainingRequest request(
      TrainingMethod method, int steps, int batch, int vectors, long seed) {
    return TrainingRequest.builder(method, "<blob-" + seed + ">", "a", images())
        .numVectors(vectors)
        .steps(steps)
        .batchSize(batch)
        .seed(seed)
        .learningRate(method == TrainingMethod.DTI ? 0.05 : 0.005)
        .build();
  }

  private static List<BufferedImage> images() {
    return List.of(square(Color.RED, 40), square(Color.BLUE, 36));
  }

  private static BufferedImage square(Color colour, int size) {
    var image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, size, size);
    g.setColor(colour);
    g.fillRect(size / 4, size / 4, size / 2, size / 2);
    g.dispose();
    return image;
  }

  private static final class Quiet implements ConceptTrainer.Listener {
    @Override
    public void onStep(TrainingProgress progress) {}

    @Override
    public boolean checkpointAfter(int step) {
      return false;
    }

    @Override
    public void onCheckpoint(
        TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows) {}
  }
}
