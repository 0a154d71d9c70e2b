package dev.dti.toyworld.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.concept.TemplateSet;
import dev.dti.diffusion.clip.CLIPTextConfig;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.toyworld.TokenizerFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseModelTrainingTest {

  /** A few thousand weights a network: the code paths of the real sizes at test speed. */
  static final ToyModelArchitecture TINY =
      new ToyModelArchitecture(
          "tiny",
          ToyModelArchitecture.vae(List.of(8, 16, 16), 4),
          new CLIPTextConfig(
              ToyModelArchitecture.VOCAB_SIZE, 16, 32, 1, 2, 16, "quick_gelu", 1e-5, 126, 127, 127),
          ToyModelArchitecture.unet(List.of(16, 32), 1, List.of(2, 2), 8, 16),
          ToyModelArchitecture.SCHEDULER);

  static BaseModelTrainer.Settings tinySettings(long sessionSteps) {
    return BaseModelTrainer.Settings.builder()
        .architecture(TINY)
        .seed(3)
        .vaeBatch(4)
        .diffusionBatch(4)
        .vaeLearningRate(1e-3)
        .diffusionLearningRate(1e-3)
        .vaeWarmupSteps(2)
        .warmupSteps(3)
        .weightDecay(0.01)
        .emaDecay(0.9)
        .vaeGateEvery(3)
        .vaeGatePictures(6)
        .vaeGate(1.01)
        .maxVaeSteps(6)
        .maxDiffusionSteps(6)
        .evaluateEvery(3)
        .evaluatePictures(3)
        .compositionEvaluateEvery(3)
        .compositionEvaluatePictures(3)
        .logEvery(2)
        .checkpointSeconds(1e9)
        .seconds(1e9)
        .sessionSteps(sessionSteps)
        .stateType(DataType.FLOAT32)
        .build();
  }

  @Test
  void twentyStepsOfATinyConfigReduceTheLossOnAFixedBatch() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ToyModel model = ToyModel.initialize(TINY, manager, 0);
      var weights = model.diffusionWeights();
      ToyModel.requireGradients(weights, true);
      WeightAdamW optimizer = new WeightAdamW(weights, manager, 0.01f, 1f);
      TrainingSteps steps = new TrainingSteps(model, 0, 8, 1.0);
      float first = steps.diffusionStep(manager, 0);
      optimizer.step(3e-3);
      float last = first;
      for (int i = 0; i < 19; i++) {
        System.gc(); // the scalars on the gradient path must survive a collection
        last = steps.diffusionStep(manager, 0);
        optimizer.step(3e-3);
      }
      assertThat(last).isLessThan(first * 0.8f);
    }
  }

  @Test
  void twentyVaeStepsReduceTheReconstructionError() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ToyModel model = ToyModel.initialize(TINY, manager, 0);
      ToyModel.requireGradients(model.vaeWeights(), true);
      WeightAdamW optimizer = new WeightAdamW(model.vaeWeights(), manager, 0.01f, 1f);
      TrainingSteps steps = new TrainingSteps(model, 0, 8, 1.0);
      float first = steps.vaeStep(manager, 0)[0];
      optimizer.step(3e-3);
      float last = first;
      for (int i = 0; i < 19; i++) {
        last = steps.vaeStep(manager, 0)[0];
        optimizer.step(3e-3);
      }
      assertThat(last).isLessThan(first * 0.8f);
    }
  }

  @Test
  void theCompositionStageDrawsHalfItsScenesWithTwoObjects() {
    long pairs = 0;
    long pairsBefore = 0;
    for (long step = 0; step < 50; step++) {
      pairs +=
          ToyData.scenes(3, ToyData.Stream.COMPOSITION, step, 64).stream()
              .filter(scene -> scene.objects().size() == 2)
              .count();
      pairsBefore +=
          ToyData.scenes(3, ToyData.Stream.DIFFUSION, step, 64).stream()
              .filter(scene -> scene.objects().size() == 2)
              .count();
    }
    assertThat(pairs / 3200.0).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
    assertThat(pairsBefore / 3200.0).isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.03));
    assertThat(ToyData.scenes(3, ToyData.Stream.COMPOSITION, 7, 64))
        .as("a pure function of (seed, stream, step)")
        .isEqualTo(ToyData.scenes(3, ToyData.Stream.COMPOSITION, 7, 64))
        .isNotEqualTo(ToyData.scenes(3, ToyData.Stream.DIFFUSION, 7, 64));
  }

  @Test
  void weightsUpdateInPlaceOnAThreadThatDidNotStartTheEngine() throws Exception {
    try (NDManager ignored = NDManager.newBaseManager()) {
      // The engine is started; a new thread gets libtorch's default grad mode, which is on.
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> gradModeAtStart = new AtomicReference<>();
    float[] updated = new float[3];
    Thread worker =
        Thread.ofPlatform()
            .start(
                () -> {
                  gradModeAtStart.set(ai.djl.pytorch.jni.JniUtils.isGradMode());
                  try (NDManager manager = NDManager.newBaseManager();
                      var held = dev.dti.job.GradientLock.jvmWide().acquire()) {
                    NDArray weight = manager.ones(new Shape(3));
                    weight.setRequiresGradient(true);
                    try (GradientCollector collector =
                        Engine.getInstance().newGradientCollector()) {
                      collector.backward(weight.mul(weight).sum());
                    }
                    new WeightAdamW(Map.of("w", weight), manager, 0f, 1f).step(0.1);
                    System.arraycopy(weight.toFloatArray(), 0, updated, 0, 3);
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
    worker.join();

    assertThat(gradModeAtStart.get()).as("grad mode on a fresh thread").isTrue();
    assertThat(failure.get()).isNull();
    assertThat(updated).containsOnly(0.9f); // Adam's first step: lr · sign(gradient)
  }

  @Test
  void aResumedRunEqualsAnUninterruptedOneBitForBit(@TempDir Path dir) throws IOException {
    Path whole = dir.resolve("whole");
    Path pieces = dir.resolve("pieces");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    TrainingState uninterrupted =
        new BaseModelTrainer(tinySettings(Long.MAX_VALUE), whole, quiet).run(false);
    new BaseModelTrainer(tinySettings(4), pieces, quiet).run(false); // stops inside stage 1
    TrainingState middle = new BaseModelTrainer(tinySettings(5), pieces, quiet).run(true);
    assertThat(middle.stage()).isEqualTo(TrainingState.DIFFUSION);
    TrainingState resumed =
        new BaseModelTrainer(tinySettings(Long.MAX_VALUE), pieces, quiet).run(true);

    assertThat(uninterrupted.stage()).isEqualTo(TrainingState.DONE);
    assertThat(resumed.stage()).isEqualTo(TrainingState.DONE);
    assertThat(resumed.diffusionSteps()).isEqualTo(uninterrupted.diffusionSteps());
    assertThat(resumed.scalingFactor()).isEqualTo(uninterrupted.scalingFactor());
    assertThat(pieces.resolve("training_state/tensors.safetensors"))
        .as("a finished run keeps no optimizer state")
        .doesNotExist();
    for (String file :
        List.of(
            "vae/diffusion_pytorch_model.safetensors",
            "text_encoder/model.safetensors",
            "unet/diffusion_pytorch_model.safetensors",
            "vae/config.json",
            "unet/config.json")) {
      assertThat(Files.readAllBytes(pieces.resolve(file)))
          .as(file)
          .isEqualTo(Files.readAllBytes(whole.resolve(file)));
    }
  }

  @Test
  void theSavedFolderLoadsAsADiffusersModel(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("model");
    new BaseModelTrainer(
            tinySettings(Long.MAX_VALUE), out, new PrintStream(new ByteArrayOutputStream()))
        .run(false);
    for (String file :
        List.of(
            "model_index.json",
            "tokenizer/vocab.json",
            "tokenizer/merges.txt",
            "tokenizer/tokenizer_config.json",
            "tokenizer/special_tokens_map.json",
            "scheduler/scheduler_config.json",
            "text_encoder/config.json")) {
      assertThat(out.resolve(file)).isRegularFile();
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      StableDiffusionModel model = StableDiffusionModel.load(out, manager);
      assertThat(model.vae().scalingFactor()).isNotEqualTo(1.0);
      assertThat(model.unet().config().crossAttentionDim()).isEqualTo(16);
      BufferedImage picture =
          ToySampler.of(model).generate("a red circle on a white background", 1, 2, 5.0);
      assertThat(picture.getWidth()).isEqualTo(32);
      assertThat(picture.getHeight()).isEqualTo(32);
    }
    // Concepts uploaded without captions train on captions in the toy vocabulary.
    for (String caption : TemplateSet.OBJECT.forModel(out)) {
      assertThat(ToyData.tokenIds(caption.replace("{}", "object"))).isNotEmpty();
    }
    for (String caption : TemplateSet.STYLE.forModel(out)) {
      assertThat(ToyData.tokenIds(caption.replace("{}", "red"))).isNotEmpty();
    }
  }

  @Test
  void trainingTokenIdsAreTheServiceTokenizersPaddedIds(@TempDir Path dir) throws IOException {
    TokenizerFiles.write(dir);
    CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(dir);
    for (String caption :
        List.of(
            "",
            "a red circle on a white background",
            "an orange object next to a blue cross on a gray background")) {
      int[] expected = tokenizer.encodePadded(caption);
      assertThat(ToyData.tokenIds(caption)).as(caption).containsExactly(expected);
    }
  }
}
