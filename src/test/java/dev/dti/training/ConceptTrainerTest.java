package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.dti.concept.TemplateSet;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.job.GradientLock;
import dev.dti.support.TinyModelFolder;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptTrainerTest {

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
  void dtiKeepsEveryRowAtTheVocabularyMeanNormAtEveryStep() throws Exception {
    var recorder = new Recorder(0);
    TrainingResult result = trainer().train(request(TrainingMethod.DTI, 6), null, recorder);

    double m = VocabularyNorms.meanNorm(model);
    assertThat(m).isBetween(0.05, 0.2); // golden tiny CLIP: token rows N(0, 0.02²) in 32 dims
    assertThat(recorder.progress).hasSize(6);
    for (TrainingProgress progress : recorder.progress) {
      assertThat(Double.isFinite(progress.loss())).isTrue();
      for (float[] row : progress.rows()) {
        assertThat(Rows.norm(row)).isCloseTo(m, within(1e-6 * m));
      }
    }
    assertThat(result.normM()).isEqualTo(m);
    float[] initializer = VocabularyNorms.row(model, trainer().initializerIds("a")[0]);
    assertThat(Rows.dot(Rows.normalized(result.rows()[0]), Rows.normalized(initializer)))
        .as("the direction moved away from the initializer")
        .isLessThan(0.9999);
  }

  @Test
  void textualInversionRowsAreUnconstrained() throws Exception {
    var recorder = new Recorder(0);
    trainer().train(request(TrainingMethod.TI, 6), null, recorder);

    double m = VocabularyNorms.meanNorm(model);
    double lastNorm = recorder.progress.getLast().meanNorm();
    assertThat(Math.abs(lastNorm - m)).isGreaterThan(1e-3);
  }

  @Test
  void aRunResumedFromItsCheckpointEndsWithExactlyTheRowsOfAnUninterruptedRun() throws Exception {
    var uninterrupted = new Recorder(3);
    TrainingResult straight = trainer().train(request(TrainingMethod.DTI, 6), null, uninterrupted);
    TrainingCheckpoint atStep3 = uninterrupted.checkpoints.getFirst();
    assertThat(atStep3.step()).isEqualTo(3);

    TrainingResult resumed =
        trainer().train(request(TrainingMethod.DTI, 6), atStep3, new Recorder(0));

    assertThat(resumed.rows()).isDeepEqualTo(straight.rows());
    assertThat(resumed.lossHistory()).containsExactly(straight.lossHistory());
  }

  @Test
  void resumingTheAdamWBaselineIsExactToo() throws Exception {
    var uninterrupted = new Recorder(2);
    TrainingResult straight = trainer().train(request(TrainingMethod.TI, 4), null, uninterrupted);

    TrainingResult resumed =
        trainer()
            .train(
                request(TrainingMethod.TI, 4),
                uninterrupted.checkpoints.getFirst(),
                new Recorder(0));

    assertThat(resumed.rows()).isDeepEqualTo(straight.rows());
  }

  private static ConceptTrainer trainer() {
    return new ConceptTrainer(model, GradientLock.jvmWide(), 2);
  }

  private static TrainingRequest request(TrainingMethod method, int steps) {
    return new TrainingRequest(
        method,
        "<my-blob>",
        "a",
        null,
        steps,
        method == TrainingMethod.DTI ? 0.05 : 0.005,
        false,
        1e-4,
        1e-2,
        2,
        42,
        TemplateSet.OBJECT,
        null,
        List.of(square(Color.RED, 40), square(Color.BLUE, 36)));
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

  /** Records progress and checkpoints every {@code every} steps (0: never). */
  private static final class Recorder implements ConceptTrainer.Listener {
    final int every;
    final List<TrainingProgress> progress = new ArrayList<>();
    final List<TrainingCheckpoint> checkpoints = new ArrayList<>();

    Recorder(int every) {
      this.every = every;
    }

    @Override
    public void onStep(TrainingProgress p) {
      progress.add(p);
    }

    @Override
    public boolean checkpointAfter(int step) {
      return every > 0 && step % every == 0;
    }

    @Override
    public void onCheckpoint(TrainingCheckpoint checkpoint, float[][] rows) {
      checkpoints.add(checkpoint);
    }
  }
}
