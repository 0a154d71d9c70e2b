package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.AddTimeIds;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.job.GradientLock;
import dev.dti.support.Golden;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DTI and TI on SDXL's two text encoders, on a copy of the tiny SDXL pipeline folder (text_encoder
 * of width 16, text_encoder_2 of width 24, 32-pixel images).
 */
class SdxlConceptTrainerTest {

  private static final String CLIP_L = StableDiffusionModel.TEXT_ENCODER;
  private static final String CLIP_G = StableDiffusionModel.TEXT_ENCODER_2;

  @TempDir static Path modelDir;
  static NDManager manager;
  static StableDiffusionModel model;

  @BeforeAll
  static void loadTinySdxl() throws IOException {
    copy(Golden.dir("sdxl_pipeline_tiny"), modelDir);
    manager = NDManager.newBaseManager();
    model = StableDiffusionModel.load(modelDir, manager);
  }

  @AfterAll
  static void free() {
    manager.close();
  }

  @Test
  void dtiKeepsEachEncodersRowsAtThatEncodersOwnMAtEveryStep() throws Exception {
    double mL = VocabularyNorms.meanNorm(model, CLIP_L);
    double mG = VocabularyNorms.meanNorm(model, CLIP_G);
    assertThat(mL).isCloseTo(0.0788744148, within(1e-9)); // the folder README's m_l and m_g
    assertThat(mG).isCloseTo(0.0968888011, within(1e-9));
    var recorder = new Recorder(0);

    TrainingResult result = trainer().train(request(TrainingMethod.DTI, 4), null, recorder);

    assertThat(recorder.progress).hasSize(4);
    for (TrainingProgress progress : recorder.progress) {
      assertThat(progress.encoders().keySet()).containsExactly(CLIP_L, CLIP_G);
      for (float[] row : progress.encoders().get(CLIP_L).rows()) {
        assertThat(row).hasSize(16);
        assertThat(Rows.norm(row)).isCloseTo(mL, within(1e-6 * mL));
      }
      for (float[] row : progress.encoders().get(CLIP_G).rows()) {
        assertThat(row).hasSize(24);
        assertThat(Rows.norm(row)).isCloseTo(mG, within(1e-6 * mG));
      }
      assertThat(progress.meanNorms().get(CLIP_G)).isCloseTo(mG, within(1e-6 * mG));
    }
    assertThat(result.encoders().get(CLIP_L).normM()).isEqualTo(mL);
    assertThat(result.encoders().get(CLIP_G).normM()).isEqualTo(mG);
    for (String encoder : List.of(CLIP_L, CLIP_G)) {
      int initializer = model.tokenizer(encoder).encode("cat")[1];
      float[] mu = Rows.normalized(VocabularyNorms.row(model, encoder, initializer));
      assertThat(Rows.dot(Rows.normalized(result.encoders().get(encoder).rows()[0]), mu))
          .as("%s moved away from its initializer's direction", encoder)
          .isLessThan(0.9999);
    }
  }

  @Test
  void theTextualInversionBaselineLearnsUnconstrainedRowsInBothEncoders() throws Exception {
    TrainingResult result = trainer().train(request(TrainingMethod.TI, 3), null, new Recorder(0));

    assertThat(result.encoders().get(CLIP_L).rows()[0]).hasSize(16);
    assertThat(result.encoders().get(CLIP_G).rows()[0]).hasSize(24);
    int initializer = model.tokenizer(CLIP_G).encode("cat")[1];
    float[] start = VocabularyNorms.row(model, CLIP_G, initializer);
    assertThat(Rows.norm(result.encoders().get(CLIP_G).rows()[0]))
        .isNotCloseTo(Rows.norm(start), within(1e-4));
  }

  @Test
  void aRunResumedFromItsTwoEncoderCheckpointEndsWithExactlyTheRowsOfAnUninterruptedRun()
      throws Exception {
    var uninterrupted = new Recorder(2);
    TrainingResult straight = trainer().train(request(TrainingMethod.TI, 4), null, uninterrupted);
    TrainingCheckpoint atStep2 = uninterrupted.checkpoints.getFirst();
    // through the stored byte layouts, as a worker reads the checkpoint back
    var stored =
        new TrainingCheckpoint(
            atStep2.step(),
            CheckpointParameters.decode(CheckpointParameters.encode(atStep2.parameters())),
            OptimizerStates.fromBytes(OptimizerStates.toBytes(atStep2.optimizerState())),
            atStep2.lossHistory(),
            atStep2.normHistory());

    TrainingResult resumed =
        trainer().train(request(TrainingMethod.TI, 4), stored, new Recorder(0));

    for (String encoder : List.of(CLIP_L, CLIP_G)) {
      assertThat(resumed.encoders().get(encoder).rows())
          .isDeepEqualTo(straight.encoders().get(encoder).rows());
    }
    assertThat(resumed.lossHistory()).containsExactly(straight.lossHistory());
  }

  @Test
  void sdxlRunsSharingAPassEndWithTheirRowsAlone() throws Exception {
    List<TrainingRequest> requests =
        List.of(request(TrainingMethod.DTI, 3), request(TrainingMethod.TI, 3));
    List<TrainingResult> alone = new ArrayList<>();
    for (TrainingRequest request : requests) {
      alone.add(trainer().train(request, null, new Recorder(0)));
    }
    List<TrainingRun> runs = requests.stream().map(r -> trainer().start(r, null)).toList();

    while (!runs.getFirst().isDone()) {
      assertThat(trainer().step(runs)).allMatch(StepOutcome.Advanced.class::isInstance);
    }

    for (int i = 0; i < runs.size(); i++) {
      for (String encoder : List.of(CLIP_L, CLIP_G)) {
        assertThat(
                BatchedStepTest.maxAbsDifference(
                    runs.get(i).result().encoders().get(encoder).rows(),
                    alone.get(i).encoders().get(encoder).rows()))
            .isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @Test
  void eachReferenceViewCarriesSdxlTimeIdsOfItsOriginalSizeCropCornerAndTheResolution() {
    var image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);

    ReferenceLatents.Crop centred = ReferenceLatents.region(image, null);

    assertThat(centred).isEqualTo(new ReferenceLatents.Crop(8, 0, 48));
    // resized by 32/48: the 64 × 48 image becomes 43 × 32 and the crop starts at x = 8·32/48 ≈ 5
    assertThat(centred.timeIds(image, 32)).isEqualTo(new AddTimeIds(48, 64, 0, 5, 32, 32));
  }

  private static ConceptTrainer trainer() {
    return new ConceptTrainer(model, GradientLock.jvmWide(), 2);
  }

  private static TrainingRequest request(TrainingMethod method, int steps) {
    return TrainingRequest.builder(
            method, "<my-cat>", "cat", List.of(square(Color.RED, 40), square(Color.BLUE, 36)))
        .steps(steps)
        .batchSize(2)
        .seed(11)
        .learningRate(method == TrainingMethod.DTI ? 0.05 : 0.005)
        .build();
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

  private static void copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
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
    public void onCheckpoint(
        TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows) {
      checkpoints.add(checkpoint);
    }
  }
}
