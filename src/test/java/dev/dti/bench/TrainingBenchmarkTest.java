package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.TrainingMethod;
import dev.dti.support.TinyModelFolder;
import dev.dti.training.TrainingRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingBenchmarkTest {

  @Test
  void aMeasuredRunTimesTheFirstStepAndEveryLaterStepOfTheTinyModel(@TempDir Path dir)
      throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(TinyModelFolder.create(dir), manager);

      TrainingBenchmark.Run run =
          TrainingBenchmark.measure(model, TrainingBenchmark.request(TrainingMethod.TI, 2, 2, 0));

      assertThat(run.firstStepSeconds()).isPositive();
      assertThat(run.stepSeconds()).hasSize(1);
      assertThat(run.stepSeconds()[0]).isPositive();
    }
  }

  @Test
  void requestsUseTheDefaultsOfAJob() {
    TrainingRequest dti = TrainingBenchmark.request(TrainingMethod.DTI, 20, 400, 7);
    TrainingRequest ti = TrainingBenchmark.request(TrainingMethod.TI, 2, 400, 7);

    assertThat(dti.batchSize()).isEqualTo(4);
    assertThat(dti.learningRate()).isEqualTo(0.01);
    assertThat(dti.kappa()).isEqualTo(1e-4);
    assertThat(dti.images()).hasSize(20);
    assertThat(ti.learningRate()).isEqualTo(0.005);
    assertThat(ti.weightDecay()).isEqualTo(0.01);
    assertThat(TrainingBenchmark.defaultProperties().viewsPerImage()).isEqualTo(4);
  }

  @Test
  void theSectionGivesTheRatiosOfTheMediansAndLabelsTheModel() {
    var dti = new TrainingBenchmark.Run(1.0, new double[] {0.10, 0.12, 0.11});
    var ti = new TrainingBenchmark.Run(1.0, new double[] {0.11, 0.11, 0.11});
    var dti20 = new TrainingBenchmark.Run(5.0, new double[] {0.121, 0.121, 0.121});
    var job = new TrainingBenchmark.Run(1.5, new double[] {0.1, 0.1, 0.4});
    var results =
        new TrainingBenchmark.Results(List.of(List.of(dti), List.of(ti), List.of(dti20)), job);

    String body =
        TrainingBenchmark.body(
            results, Path.of("target/bench/tiny-sd"), false, 0.5, 1, 4, 4, "1/2/3", "4/5/6");

    assertThat(body)
        .contains("**not the toy model**")
        .contains("| DTI, 2 images | 110.0 ms | 9.09 | 1.00 s |")
        .contains("| steps/s DTI ÷ TI | **1.000** (rounds: 1.00) |")
        .contains("| step time 20 images ÷ 2 images (DTI) | **1.100** (rounds: 1.10) |")
        .contains("**81.3 s, extrapolated** from a 4-step run (2.1 s: set-up + step 1 1.50 s,")
        .contains("mean step 200.0 ms, median 100.0 ms) as set-up + step 1 + 399 × mean step")
        .contains("before: 1/2/3, after: 4/5/6");
  }
}
