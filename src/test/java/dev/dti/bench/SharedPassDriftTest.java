package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.TrainingMethod;
import dev.dti.job.GradientLock;
import dev.dti.training.ConceptTrainer;
import dev.dti.training.StepOutcome;
import dev.dti.training.TrainingCheckpoint;
import dev.dti.training.TrainingProgress;
import dev.dti.training.TrainingRequest;
import dev.dti.training.TrainingResult;
import dev.dti.training.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How far default jobs that share every pass end from the same jobs trained alone (issue 15): two
 * DTI jobs and one TI job of {@code dti.drift.steps} steps (400 for the number in the docs) on
 * {@code dti.drift.model} (models/toy-sd), 4 images each, trained alone and then in one batched
 * pass per step. Prints the largest difference in final rows and in per-step loss. A measurement,
 * run on request: {@code -Dtest=SharedPassDriftTest -Ddti.drift.steps=400}.
 */
@EnabledIfSystemProperty(named = "dti.drift.steps", matches = "\\d+")
class SharedPassDriftTest {

  @Test
  void defaultJobsThatSharePassesEndWithinFloatReassociationOfTheJobsAlone() throws Exception {
    int steps = Integer.getInteger("dti.drift.steps");
    Path dir = Path.of(System.getProperty("dti.drift.model", "models/toy-sd"));
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(dir, manager);
      var trainer =
          new ConceptTrainer(
              model, GradientLock.jvmWide(), TrainingBenchmark.defaultProperties().viewsPerImage());
      List<TrainingRequest> requests =
          List.of(
              TrainingBenchmark.request(TrainingMethod.DTI, 4, steps, 1),
              TrainingBenchmark.request(TrainingMethod.DTI, 4, steps, 2),
              TrainingBenchmark.request(TrainingMethod.TI, 4, steps, 3));
      List<TrainingResult> alone = new ArrayList<>();
      for (TrainingRequest request : requests) {
        alone.add(trainer.train(request, null, QUIET));
      }
      List<TrainingRun> runs = new ArrayList<>();
      for (TrainingRequest request : requests) {
        runs.add(trainer.start(request, null));
      }
      while (!runs.getFirst().isDone()) {
        for (StepOutcome outcome : trainer.step(runs)) {
          assertThat(outcome).isInstanceOf(StepOutcome.Advanced.class);
        }
      }
      for (int i = 0; i < runs.size(); i++) {
        TrainingResult together = runs.get(i).result();
        double row = maxDifference(together.rows(), alone.get(i).rows());
        double loss =
            maxDifference(
                new float[][] {together.lossHistory()}, new float[][] {alone.get(i).lossHistory()});
        double finalLoss =
            Math.abs(together.lossHistory()[steps - 1] - alone.get(i).lossHistory()[steps - 1]);
        System.out.printf(
            Locale.ROOT,
            "DRIFT %s seed %d, %d steps: max |Δrow| %.3g (rows of norm %.4f), max |Δloss| over"
                + " the steps %.3g, final |Δloss| %.3g (loss %.4f)%n",
            requests.get(i).method(),
            requests.get(i).seed(),
            steps,
            row,
            alone.get(i).normHistory()[steps - 1],
            loss,
            finalLoss,
            alone.get(i).lossHistory()[steps - 1]);
      }
    }
  }

  private static double maxDifference(float[][] a, float[][] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs((double) a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  private static final ConceptTrainer.Listener QUIET =
      new ConceptTrainer.Listener() {
        @Override
        public void onStep(TrainingProgress progress) {}

        @Override
        public boolean checkpointAfter(int step) {
          return false;
        }

        @Override
        public void onCheckpoint(
            TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows) {}
      };
}
