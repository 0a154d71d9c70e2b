package dev.dti.toyworld.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** models/toy-sd, the model a fresh clone serves, draws what one-object prompts name. */
class EmbeddedDefaultModelTest {

  static final Path EMBEDDED = Path.of("models/toy-sd");

  @Test
  void theCommittedModelDrawsTheNamedShapeColourAndBackground() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(EMBEDDED, manager);

      // Held-out prompts and seeds the committed evaluation did not use (it uses seed 7).
      Agreement singles = BaseModelEvaluation.run(ToySampler.of(model), 11, 16, 0).singles();

      // The gate asks 80 % of 96 pictures; 16 pictures allow a few more misses.
      assertThat(singles.backgroundRate()).as("background").isGreaterThanOrEqualTo(0.9);
      assertThat(singles.colourRate()).as("colour").isGreaterThanOrEqualTo(0.8);
      assertThat(singles.shapeRate()).as("shape").isGreaterThanOrEqualTo(0.6);
    }
  }

  @Test
  void itsTrainingStateRecordsTheRunThatMadeIt() throws IOException {
    TrainingState state = TrainingState.read(EMBEDDED.resolve("training_state/state.json"));

    assertThat(state.seed()).isZero();
    assertThat(state.architecture()).isEqualTo(ToyModelArchitecture.BASE.name());
    assertThat(state.vaeSteps()).isPositive();
    assertThat(state.diffusionSteps()).isPositive();
    assertThat(state.log()).anyMatch(line -> line.contains("generated (EMA)"));
  }
}
