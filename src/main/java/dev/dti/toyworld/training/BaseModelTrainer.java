package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.MapParameters;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.AutoencoderKLConfig;
import dev.dti.toyworld.Scene;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Trains the toy base model in two stages and keeps {@code out} a loadable diffusers folder:
 *
 * <ol>
 *   <li>VAE: reconstruction MSE + small KL, AdamW, until the judge reads reconstructions of
 *       held-out scenes right ({@link Settings#vaeGate()} for every attribute);
 *   <li>text encoder + UNet jointly: epsilon MSE on scaled latents, 10 % empty captions, AdamW with
 *       warm-up, EMA of the UNet; until pictures generated for one-object prompts meet {@link
 *       BaseModelEvaluation#GATE};
 *   <li>composition: the same training on a mix with half the scenes two-object ({@link
 *       ToyData.Stream#COMPOSITION}), same optimizer and average, until one-object and two-object
 *       prompts both meet the gate.
 * </ol>
 *
 * Deterministic from the seed; saves every {@link Settings#checkpointSeconds()} and at the end.
 */
public final class BaseModelTrainer {

  /** Hyper-parameters and budgets of a run. */
  public record Settings(
      ToyModelArchitecture architecture,
      long seed,
      int vaeBatch,
      int diffusionBatch,
      double vaeLearningRate,
      double diffusionLearningRate,
      int vaeWarmupSteps,
      int warmupSteps,
      double weightDecay,
      double emaDecay,
      int vaeGateEvery,
      int vaeGatePictures,
      double vaeGate,
      long maxVaeSteps,
      long maxDiffusionSteps,
      int evaluateEvery,
      int evaluatePictures,
      int compositionEvaluateEvery,
      int compositionEvaluatePictures,
      int logEvery,
      double checkpointSeconds,
      double seconds,
      long sessionSteps,
      DataType stateType) {

    /** The run that trains models/toy-sd: {@link Builder}'s defaults, with this seed and budget. */
    public static Settings defaults(long seed, double seconds) {
      return builder().seed(seed).seconds(seconds).build();
    }

    public static Builder builder() {
      return new Builder();
    }

    public Builder toBuilder() {
      Builder b = new Builder();
      b.architecture = architecture;
      b.seed = seed;
      b.vaeBatch = vaeBatch;
      b.diffusionBatch = diffusionBatch;
      b.vaeLearningRate = vaeLearningRate;
      b.diffusionLearningRate = diffusionLearningRate;
      b.vaeWarmupSteps = vaeWarmupSteps;
      b.warmupSteps = warmupSteps;
      b.weightDecay = weightDecay;
      b.emaDecay = emaDecay;
      b.vaeGateEvery = vaeGateEvery;
      b.vaeGatePictures = vaeGatePictures;
      b.vaeGate = vaeGate;
      b.maxVaeSteps = maxVaeSteps;
      b.maxDiffusionSteps = maxDiffusionSteps;
      b.evaluateEvery = evaluateEvery;
      b.evaluatePictures = evaluatePictures;
      b.compositionEvaluateEvery = compositionEvaluateEvery;
      b.compositionEvaluatePictures = compositionEvaluatePictures;
      b.logEvery = logEvery;
      b.checkpointSeconds = checkpointSeconds;
      b.seconds = seconds;
      b.sessionSteps = sessionSteps;
      b.stateType = stateType;
      return b;
    }

    public Settings with(ToyModelArchitecture newArchitecture, DataType newStateType) {
      return toBuilder().architecture(newArchitecture).stateType(newStateType).build();
    }

    /**
     * Named construction of {@link Settings}. Each default is the value of the run that trained the
     * committed models/toy-sd (seed 0, 1.6 CPU-hours; docs/toyworld.md describes the stages).
     */
    public static final class Builder {
      private ToyModelArchitecture architecture = ToyModelArchitecture.BASE;
      private long seed = 0;
      private int vaeBatch = 16;
      private int diffusionBatch = 64;
      private double vaeLearningRate = 1e-3;
      private double diffusionLearningRate = 1e-3;
      private int vaeWarmupSteps = 50;
      private int warmupSteps = 500;
      private double weightDecay = 0.01;
      private double emaDecay = 0.999;
      private int vaeGateEvery = 250;
      private int vaeGatePictures = 96;
      private double vaeGate = 0.95;
      private long maxVaeSteps = 3000;
      private long maxDiffusionSteps = Long.MAX_VALUE;
      private int evaluateEvery = 2000;
      private int evaluatePictures = 64;
      private int compositionEvaluateEvery = 1000;
      private int compositionEvaluatePictures = 96;
      private int logEvery = 50;
      private double checkpointSeconds = 300;

      /** The six CPU-hours the toy model's training may take on 2 cores; it stopped at 1.6. */
      private double seconds = 6 * 3600;

      private long sessionSteps = Long.MAX_VALUE;
      private DataType stateType = DataType.FLOAT32;

      private Builder() {}

      public Builder architecture(ToyModelArchitecture value) {
        this.architecture = value;
        return this;
      }

      public Builder seed(long value) {
        this.seed = value;
        return this;
      }

      public Builder vaeBatch(int value) {
        this.vaeBatch = value;
        return this;
      }

      public Builder diffusionBatch(int value) {
        this.diffusionBatch = value;
        return this;
      }

      public Builder vaeLearningRate(double value) {
        this.vaeLearningRate = value;
        return this;
      }

      public Builder diffusionLearningRate(double value) {
        this.diffusionLearningRate = value;
        return this;
      }

      public Builder vaeWarmupSteps(int value) {
        this.vaeWarmupSteps = value;
        return this;
      }

      public Builder warmupSteps(int value) {
        this.warmupSteps = value;
        return this;
      }

      public Builder weightDecay(double value) {
        this.weightDecay = value;
        return this;
      }

      public Builder emaDecay(double value) {
        this.emaDecay = value;
        return this;
      }

      public Builder vaeGateEvery(int value) {
        this.vaeGateEvery = value;
        return this;
      }

      public Builder vaeGatePictures(int value) {
        this.vaeGatePictures = value;
        return this;
      }

      public Builder vaeGate(double value) {
        this.vaeGate = value;
        return this;
      }

      public Builder maxVaeSteps(long value) {
        this.maxVaeSteps = value;
        return this;
      }

      public Builder maxDiffusionSteps(long value) {
        this.maxDiffusionSteps = value;
        return this;
      }

      public Builder evaluateEvery(int value) {
        this.evaluateEvery = value;
        return this;
      }

      public Builder evaluatePictures(int value) {
        this.evaluatePictures = value;
        return this;
      }

      public Builder compositionEvaluateEvery(int value) {
        this.compositionEvaluateEvery = value;
        return this;
      }

      public Builder compositionEvaluatePictures(int value) {
        this.compositionEvaluatePictures = value;
        return this;
      }

      public Builder logEvery(int value) {
        this.logEvery = value;
        return this;
      }

      public Builder checkpointSeconds(double value) {
        this.checkpointSeconds = value;
        return this;
      }

      public Builder seconds(double value) {
        this.seconds = value;
        return this;
      }

      public Builder sessionSteps(long value) {
        this.sessionSteps = value;
        return this;
      }

      public Builder stateType(DataType value) {
        this.stateType = value;
        return this;
      }

      public Settings build() {
        return new Settings(
            architecture,
            seed,
            vaeBatch,
            diffusionBatch,
            vaeLearningRate,
            diffusionLearningRate,
            vaeWarmupSteps,
            warmupSteps,
            weightDecay,
            emaDecay,
            vaeGateEvery,
            vaeGatePictures,
            vaeGate,
            maxVaeSteps,
            maxDiffusionSteps,
            evaluateEvery,
            evaluatePictures,
            compositionEvaluateEvery,
            compositionEvaluatePictures,
            logEvery,
            checkpointSeconds,
            seconds,
            sessionSteps,
            stateType);
      }
    }
  }

  private final Settings settings;
  private final Path out;
  private final PrintStream log;

  public BaseModelTrainer(Settings settings, Path out, PrintStream log) {
    this.settings = settings;
    this.out = out;
    this.log = log;
  }

  /** Runs (or, with {@code resume}, continues) training; returns the state saved last. */
  public TrainingState run(boolean resume) throws IOException {
    ToyModelFolder.recover(out);
    Path stateFile = out.resolve(ToyModelFolder.TRAINING_STATE).resolve("state.json");
    try (NDManager manager = NDManager.newBaseManager()) {
      TrainingState state;
      ToyModel model;
      Map<String, NDArray> saved = Map.of();
      if (resume && Files.isRegularFile(stateFile)) {
        state = TrainingState.read(stateFile);
        if (state.seed() != settings.seed()) {
          throw new IllegalArgumentException(
              out + " was trained with seed " + state.seed() + ", not " + settings.seed());
        }
        model = ToyModel.load(out, manager);
        saved = loadTensors(manager);
      } else {
        if (Files.exists(out) && !isEmpty(out)) {
          throw new IllegalArgumentException(
              out + " exists: pass --resume to continue it, or choose another --out");
        }
        state = TrainingState.start(settings.architecture().name(), settings.seed());
        model = ToyModel.initialize(settings.architecture(), manager, settings.seed());
      }
      return new Run(manager, model, state, saved).go();
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private Map<String, NDArray> loadTensors(NDManager manager) throws IOException {
    Path file = out.resolve(ToyModelFolder.TRAINING_STATE).resolve("tensors.safetensors");
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return tensors;
    }
    try (SafetensorsFile safetensors = SafetensorsFile.open(file)) {
      for (String name : safetensors.names()) {
        tensors.put(name, safetensors.load(manager, name));
      }
    }
    return tensors;
  }

  /** The mutable part of one training session. */
  private final class Run {

    private final NDManager manager;
    private final ToyModel model;
    private final long started = System.nanoTime();
    private final double secondsBefore;
    private TrainingState state;
    private Map<String, NDArray> saved;
    private WeightAdamW optimizer;
    private WeightAverage average;
    private double lastSave = 0;

    Run(NDManager manager, ToyModel model, TrainingState state, Map<String, NDArray> saved) {
      this.manager = manager;
      this.model = model;
      this.state = state;
      this.saved = saved;
      this.secondsBefore = state.trainingSeconds();
    }

    TrainingState go() throws IOException {
      if (state.stage().equals(TrainingState.VAE)) {
        if (!trainVae()) {
          return state;
        }
      }
      if (state.stage().equals(TrainingState.DIFFUSION)
          || state.stage().equals(TrainingState.COMPOSITION)) {
        trainDiffusion();
      }
      return state;
    }

    private double elapsed() {
      return (System.nanoTime() - started) / 1e9;
    }

    private long sessionSteps;

    /** Whether this session's time or step budget is spent. */
    private boolean outOfTime() {
      return elapsed() >= settings.seconds() || sessionSteps >= settings.sessionSteps();
    }

    /** Returns whether stage 1 finished (false: out of time, saved). */
    private boolean trainVae() throws IOException {
      Map<String, NDArray> weights = model.vaeWeights();
      ToyModel.requireGradients(weights, true);
      optimizer = new WeightAdamW(weights, manager, (float) settings.weightDecay(), 1f);
      if (state.vaeSteps() > 0) {
        optimizer.restore(saved, state.vaeSteps());
      }
      TrainingSteps steps = new TrainingSteps(model, settings.seed(), settings.vaeBatch(), 1.0);
      double mse = 0;
      double kl = 0;
      long step = state.vaeSteps();
      while (true) {
        if (step > 0 && step % settings.vaeGateEvery() == 0) {
          Agreement agreement = reconstructionAgreement();
          note(String.format(Locale.ROOT, "vae step %d reconstructions: %s", step, agreement));
          if (agreement.atLeast(settings.vaeGate()) || step >= settings.maxVaeSteps()) {
            finishVae(weights);
            return true;
          }
        }
        if (outOfTime()) {
          save(step, state.diffusionSteps());
          return false;
        }
        float[] losses = steps.vaeStep(manager, step);
        optimizer.step(learningRate(settings.vaeLearningRate(), settings.vaeWarmupSteps(), step));
        step++;
        sessionSteps++;
        mse += losses[0];
        kl += losses[1];
        if (step % settings.logEvery() == 0) {
          note(
              String.format(
                  Locale.ROOT,
                  "vae step %d mse %.5f kl %.3f (%.0f s)",
                  step,
                  mse / settings.logEvery(),
                  kl / settings.logEvery(),
                  secondsBefore + elapsed()));
          mse = 0;
          kl = 0;
        }
        state = withSteps(step, state.diffusionSteps());
        if (elapsed() - lastSave >= settings.checkpointSeconds()) {
          save(step, state.diffusionSteps());
        }
      }
    }

    private Agreement reconstructionAgreement() {
      List<Scene> scenes =
          BaseModelEvaluation.prompts(
              settings.seed() + 1,
              settings.vaeGatePictures() * 2 / 3,
              settings.vaeGatePictures() / 3);
      try (NDManager local = manager.newSubManager();
          var ignored = new ai.djl.ndarray.NDScope()) {
        NDArray images = ToyData.pixels(local, scenes);
        NDArray decoded = model.vae().decode(model.vae().encode(images).mode());
        return Agreement.of(scenes, dev.dti.diffusion.pipeline.Images.fromDecoded(decoded));
      }
    }

    private void finishVae(Map<String, NDArray> weights) throws IOException {
      ToyModel.requireGradients(weights, false);
      double scalingFactor = measureScalingFactor();
      note(String.format(Locale.ROOT, "vae done; latent scaling factor %.5f", scalingFactor));
      state =
          state
              .withStage(TrainingState.DIFFUSION)
              .withSteps(state.vaeSteps(), 0, 0)
              .withScalingFactor(scalingFactor);
      optimizer = null;
      saved = Map.of();
      save(state.vaeSteps(), 0);
    }

    /** 1/std of latent samples of 1024 training pictures, as SD measured its 0.18215. */
    private double measureScalingFactor() {
      TrainingSteps steps = new TrainingSteps(model, settings.seed(), 64, 1.0);
      double sum = 0;
      double squares = 0;
      long count = 0;
      for (int batch = 0; batch < 16; batch++) {
        try (NDManager local = manager.newSubManager();
            var ignored = new ai.djl.ndarray.NDScope()) {
          List<Scene> scenes = ToyData.scenes(settings.seed(), ToyData.Stream.VAE, -1 - batch, 64);
          float[] values =
              steps
                  .latents(
                      local,
                      ToyData.pixels(local, scenes),
                      ToyData.noise(settings.seed(), ToyData.Stream.VAE, -1 - batch, 1))
                  .toFloatArray();
          for (float v : values) {
            sum += v;
            squares += (double) v * v;
          }
          count += values.length;
        }
      }
      double mean = sum / count;
      return 1 / Math.sqrt(squares / count - mean * mean);
    }

    private void trainDiffusion() throws IOException {
      Map<String, NDArray> weights = model.diffusionWeights();
      ToyModel.requireGradients(weights, true);
      optimizer = new WeightAdamW(weights, manager, (float) settings.weightDecay(), 1f);
      average = new WeightAverage(model.unet().parameters(), manager, settings.emaDecay());
      if (state.diffusionSteps() > 0) {
        optimizer.restore(saved, state.diffusionSteps());
        average.restore(emaFromFolder(), state.emaUpdates());
        for (Map.Entry<String, NDArray> entry : model.unet().parameters().entrySet()) {
          WeightAdamW.copyInto(
              entry.getValue(), saved.get("unet." + entry.getKey()), "unet." + entry.getKey());
        }
      }
      saved = Map.of();
      TrainingSteps steps =
          new TrainingSteps(
              model, settings.seed(), settings.diffusionBatch(), state.scalingFactor());
      double loss = 0;
      long step = state.diffusionSteps();
      while (true) {
        boolean composition = state.stage().equals(TrainingState.COMPOSITION);
        int every = composition ? settings.compositionEvaluateEvery() : settings.evaluateEvery();
        if (step > 0 && step % every == 0) {
          BaseModelEvaluation.Result result =
              evaluate(
                  composition
                      ? settings.compositionEvaluatePictures()
                      : settings.evaluatePictures());
          note(
              String.format(
                  Locale.ROOT,
                  "%s step %d generated (EMA): one object %s; two objects %s",
                  state.stage(),
                  step,
                  result.singles(),
                  result.pairs()));
          if (result.gateMet() || step >= settings.maxDiffusionSteps()) {
            state = withStage(TrainingState.DONE);
            save(state.vaeSteps(), step);
            return;
          }
          if (!composition && result.singles().atLeast(BaseModelEvaluation.GATE)) {
            state = withStage(TrainingState.COMPOSITION);
            note(
                String.format(
                    Locale.ROOT,
                    "one-object prompts meet the gate at step %d: composition stage, half the"
                        + " scenes two-object, until two-object prompts meet it too",
                    step));
            composition = true;
          }
        }
        if (outOfTime()) {
          save(state.vaeSteps(), step);
          return;
        }
        loss +=
            steps.diffusionStep(
                manager, composition ? ToyData.Stream.COMPOSITION : ToyData.Stream.DIFFUSION, step);
        optimizer.step(
            learningRate(settings.diffusionLearningRate(), settings.warmupSteps(), step));
        average.update();
        step++;
        sessionSteps++;
        if (step % settings.logEvery() == 0) {
          note(
              String.format(
                  Locale.ROOT,
                  "%s step %d loss %.5f (%.0f s)",
                  state.stage(),
                  step,
                  loss / settings.logEvery(),
                  secondsBefore + elapsed()));
          loss = 0;
        }
        state = withSteps(state.vaeSteps(), step);
        if (elapsed() - lastSave >= settings.checkpointSeconds()) {
          save(state.vaeSteps(), step);
        }
      }
    }

    /** The UNet loaded from unet/ holds the average; resuming puts it into the average. */
    private Map<String, NDArray> emaFromFolder() {
      Map<String, NDArray> copy = new LinkedHashMap<>();
      model.unet().parameters().forEach((k, v) -> copy.put(k, v));
      return copy;
    }

    /** Samples with the averaged UNet (the one saved as unet/). */
    BaseModelEvaluation.Result evaluate(int pictures) {
      try (NDManager local = manager.newSubManager()) {
        UNet2DConditionModel averaged =
            new UNet2DConditionModel(
                model.unet().config(), new MapParameters(average.average(), local));
        AutoencoderKL scaledVae =
            new AutoencoderKL(
                new MapParameters(model.vaeWeights(), local),
                withScaling(model.architecture().vae(), state.scalingFactor()));
        ToySampler sampler =
            ToySampler.of(
                model.textEncoder(), averaged, scaledVae, model.architecture().scheduler());
        return BaseModelEvaluation.run(
            sampler, settings.seed() + 2, pictures * 2 / 3, pictures / 3);
      }
    }

    private double learningRate(double peak, int warmup, long step) {
      return peak * Math.min(1.0, (step + 1.0) / warmup);
    }

    private TrainingState withSteps(long vaeSteps, long diffusionSteps) {
      return state.withSteps(
          vaeSteps, diffusionSteps, average == null ? state.emaUpdates() : average.updates());
    }

    private TrainingState withStage(String stage) {
      return state.withStage(stage);
    }

    private void note(String line) {
      log.println(line);
      log.flush();
      state = state.withLog(line);
    }

    private void save(long vaeSteps, long diffusionSteps) throws IOException {
      state = withSteps(vaeSteps, diffusionSteps);
      TrainingState toSave = state.withTrainingSeconds(secondsBefore + elapsed());
      // A finished run keeps its state.json (steps, log) but not the optimizer moments and raw
      // UNet weights a resume would need: 17 MB of the committed folder's 33.
      boolean resumable = !state.stage().equals(TrainingState.DONE);
      Map<String, NDArray> trainingTensors = new LinkedHashMap<>();
      if (optimizer != null && resumable) {
        trainingTensors.putAll(optimizer.state(settings.stateType() == DataType.FLOAT16));
      }
      Map<String, NDArray> unet = model.unet().parameters();
      if (average != null) {
        if (resumable) {
          model.unet().parameters().forEach((k, v) -> trainingTensors.put("unet." + k, v));
        }
        unet = average.average();
      }
      try {
        AutoencoderKLConfig vae = withScaling(model.architecture().vae(), state.scalingFactor());
        ToyModelFolder.save(
            out,
            new ToyModelFolder.Contents(
                model.architecture().withVae(vae),
                model.vaeWeights(),
                model.textEncoder().parameters(),
                unet,
                trainingTensors,
                settings.stateType(),
                toSave));
      } finally {
        trainingTensors.forEach(
            (name, array) -> {
              if (name.startsWith("r.")) {
                array.close();
              }
            });
      }
      lastSave = elapsed();
      state = toSave;
      log.printf(Locale.ROOT, "saved %s (%.0f s)%n", out, toSave.trainingSeconds());
    }
  }

  static AutoencoderKLConfig withScaling(AutoencoderKLConfig c, double scalingFactor) {
    return new AutoencoderKLConfig(
        c.inChannels(),
        c.outChannels(),
        c.downBlockTypes(),
        c.upBlockTypes(),
        c.blockOutChannels(),
        c.layersPerBlock(),
        c.actFn(),
        c.latentChannels(),
        c.normNumGroups(),
        c.sampleSize(),
        scalingFactor);
  }
}
