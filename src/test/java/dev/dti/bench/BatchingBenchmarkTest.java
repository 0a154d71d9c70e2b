package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.support.TinyModelFolder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchingBenchmarkTest {

  @Test
  void aMeasuredRoundTimesBothSidesOfEveryKOnTheTinyModel(@TempDir Path dir) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(TinyModelFolder.create(dir), manager);

      BatchingBenchmark.ModelResult result =
          BatchingBenchmark.measure("tiny", model, List.of(1, 2), 1, 1, 1);

      assertThat(result.rounds()).extracting(BatchingBenchmark.Round::k).containsExactly(1, 2);
      assertThat(result.rounds())
          .allSatisfy(
              round -> {
                assertThat(round.batchedSeconds()).isPositive();
                assertThat(round.sequentialSeconds()).isPositive();
                assertThat(round.batchedPeakMb()).isPositive();
              });
      assertThat(result.flopsPerJobStep()).isPositive();
    }
  }

  @Test
  void theSectionGivesEveryRoundAndTheMedianRatioPerK() {
    var rounds =
        List.of(
            new BatchingBenchmark.Round(2, 4, 1.0, 2.0, 900, 800),
            new BatchingBenchmark.Round(2, 4, 1.0, 1.5, 910, 805),
            new BatchingBenchmark.Round(2, 4, 1.0, 1.0, 920, 810));
    var result = new BatchingBenchmark.ModelResult("(a) toy", List.of(2), rounds, 4, 3_000_000L);

    String body = BatchingBenchmark.body(List.of(result), "1/2/3", "4/5/6");

    assertThat(body)
        .contains("**(a) toy**, batch size 4 per job, 4 steps per job and side")
        .contains("forward pass is 0.00300 GFLOP")
        .contains("| 2 | 1 | 8.000 | 4.000 | 2.000 | 900 MB | 800 MB |")
        .contains("| 2 | 3 | 8.000 | 8.000 | 1.000 | 920 MB | 810 MB |")
        .contains("| 2 | **median** | | | **1.500** | | |")
        .contains("before: 1/2/3, after: 4/5/6");
  }

  @Test
  void theKListsParseAndNoneSkips() {
    assertThat(BatchingBenchmark.parseKs("1, 2,4,8")).containsExactly(1, 2, 4, 8);
    assertThat(BatchingBenchmark.parseKs("none")).isEmpty();
  }
}
