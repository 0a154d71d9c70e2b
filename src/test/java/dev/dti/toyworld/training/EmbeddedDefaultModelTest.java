package dev.dti.toyworld.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.dti.concept.TemplateSet;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** models/toy-sd, the model a fresh clone serves, draws what its prompts name. */
class EmbeddedDefaultModelTest {

  static final Path EMBEDDED = Path.of("models/toy-sd");

  @Test
  void theCommittedModelDrawsWhatOneAndTwoObjectPromptsName() throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(EMBEDDED, manager);

      // Held-out prompts and seeds the committed evaluation did not use (it uses seed 7).
      BaseModelEvaluation.Result result = BaseModelEvaluation.run(ToySampler.of(model), 11, 16, 8);

      // The gate asks 80 % of 96 + 48 pictures; on 16 + 8 a few more misses are allowed.
      Agreement singles = result.singles();
      assertThat(singles.backgroundRate()).as("one object: background").isGreaterThanOrEqualTo(0.9);
      assertThat(singles.colourRate()).as("one object: colour").isGreaterThanOrEqualTo(0.9);
      assertThat(singles.shapeRate()).as("one object: shape").isGreaterThanOrEqualTo(0.8);
      Agreement pairs = result.pairs();
      System.out.println(
          "embedded model, seed 11: one object " + singles + "; two objects " + pairs);
      assertThat(pairs.backgroundRate()).as("two objects: background").isGreaterThanOrEqualTo(0.8);
      assertThat(pairs.colourRate()).as("two objects: colour").isGreaterThanOrEqualTo(0.8);
      assertThat(pairs.shapeRate()).as("two objects: shape").isGreaterThanOrEqualTo(0.7);
    }
  }

  @Test
  void itShipsTrainingCaptionsInItsOwnVocabulary() throws IOException {
    // What the trainer writes, so a rerun of its command gives the same file.
    assertThat(TemplateSet.OBJECT.forModel(EMBEDDED))
        .isEqualTo(ToyModelFolder.PROMPT_TEMPLATES.get("object"));
    assertThat(TemplateSet.STYLE.forModel(EMBEDDED))
        .isEqualTo(ToyModelFolder.PROMPT_TEMPLATES.get("style"));
  }

  @Test
  void itsTrainingStateRecordsTheRunThatMadeIt() throws IOException {
    TrainingState state = TrainingState.read(EMBEDDED.resolve("training_state/state.json"));

    assertThat(state.seed()).isZero();
    assertThat(state.architecture()).isEqualTo(ToyModelArchitecture.BASE.name());
    assertThat(state.vaeSteps()).isPositive();
    assertThat(state.diffusionSteps()).isPositive();
    assertThat(state.stage()).isEqualTo(TrainingState.DONE);
    assertThat(state.log()).anyMatch(line -> line.contains("generated (EMA)"));
    assertThat(EMBEDDED.resolve("training_state/tensors.safetensors"))
        .as("a finished run keeps no optimizer state")
        .doesNotExist();
  }
}
