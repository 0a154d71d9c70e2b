package dev.dti.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.pipeline.Conditioning;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.scheduler.DDPMScheduler;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.Rows;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.job.GradientLock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns concepts' token rows on a frozen Stable Diffusion model: Directional Textual Inversion (e
 * = m·v on the unit sphere, {@link SphericalSGD}) or the Textual Inversion baseline (raw rows,
 * {@link AdamW}).
 *
 * <p>Every step of a {@link TrainingRun}: sample a batch of cached reference latents and captions,
 * noise them at uniform random timesteps (DDPM), predict the noise with the UNet conditioned on the
 * caption whose placeholder positions carry the learned rows, and back-propagate the MSE to those
 * rows only. All randomness of step s is drawn from a generator seeded by (seed, s), so a run
 * resumed from a checkpoint takes exactly the steps an uninterrupted run would.
 *
 * <p>{@link #step} trains several runs of one model in one pass: their batches are concatenated
 * along the batch axis, each run's placeholder ids are moved to an id range of its own so that its
 * rows are injected at its own positions, and the loss is the sum of the runs' own mean losses, so
 * each run's gradient is the one it would get alone. {@link #train} is one run stepped alone.
 */
public final class ConceptTrainer {

  /** What the caller learns after each step, and how it can stop or checkpoint the run. */
  public interface Listener {
    /**
     * Called after every step, after its checkpoint if {@link #checkpointAfter} asked for one;
     * throwing stops the run (e.g. on cancel or shutdown).
     */
    void onStep(TrainingProgress progress);

    /** Whether to call {@link #onCheckpoint} after this step; asked before {@link #onStep}. */
    boolean checkpointAfter(int step);

    /**
     * @param rows per text encoder, the rows e after this step and that encoder's m
     */
    void onCheckpoint(TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows);
  }

  private final StableDiffusionModel model;
  private final GradientLock gradientLock;
  private final int viewsPerImage;
  private final DDPMScheduler scheduler;
  private final boolean vPrediction;

  public ConceptTrainer(StableDiffusionModel model, GradientLock gradientLock, int viewsPerImage) {
    this.model = model;
    this.gradientLock = gradientLock;
    this.viewsPerImage = viewsPerImage;
    this.scheduler = new DDPMScheduler(model.schedulerConfig());
    this.vPrediction = "v_prediction".equals(model.schedulerConfig().predictionType());
  }

  /** The model's resolution in pixels: UNet sample size × VAE scale factor. */
  public int resolution() {
    return model.unet().config().sampleSize() * model.vae().config().scaleFactor();
  }

  /** The initializer's token ids in the model's first tokenizer (no bos/eos). */
  public int[] initializerIds(String initializer) {
    return initializerIds(model.tokenizer(), initializer);
  }

  /** The initializer's token ids (no bos/eos): the source of the initial rows and of μ. */
  private static int[] initializerIds(CLIPTokenizer tokenizer, String initializer) {
    int[] ids = tokenizer.encode(initializer);
    int[] inner = Arrays.copyOfRange(ids, 1, ids.length - 1);
    if (inner.length == 0) {
      throw new IllegalArgumentException("the initializer '" + initializer + "' has no tokens");
    }
    return inner;
  }

  /** Trains one run alone to its last step: {@link #start}, then {@link #step} until done. */
  public TrainingResult train(
      TrainingRequest request, TrainingCheckpoint resumeFrom, Listener listener)
      throws InterruptedException {
    TrainingRun run = start(request, resumeFrom);
    while (!run.isDone()) {
      StepOutcome outcome = step(List.of(run)).getFirst();
      if (outcome instanceof StepOutcome.Diverged diverged) {
        throw diverged.error();
      }
      TrainingProgress progress = ((StepOutcome.Advanced) outcome).progress();
      // The checkpoint comes first: a listener that stops the run in onStep has it saved already.
      if (listener.checkpointAfter(progress.step())) {
        listener.onCheckpoint(run.checkpoint(), progress.encoders());
      }
      listener.onStep(progress);
    }
    return run.result();
  }

  /**
   * A new run of {@code request} on this trainer's model, at step 0 or at {@code resumeFrom}'s
   * step: its tokenizer copies with the placeholder, one parameter group per text encoder, its
   * optimizer, and its reference images encoded once by the VAE (the slow part).
   *
   * @param resumeFrom a checkpoint of the same request, or null
   * @throws IllegalArgumentException when the token, the initializer or the checkpoint does not fit
   *     the model
   */
  public TrainingRun start(TrainingRequest request, TrainingCheckpoint resumeFrom) {
    List<TrainingRun.ParameterGroup> groups = new ArrayList<>();
    List<float[]> priors = new ArrayList<>();
    boolean dti = request.method() == dev.dti.embedding.TrainingMethod.DTI;
    for (String encoder : model.textEncoderNames()) {
      CLIPTokenizer tokenizer = model.tokenizer(encoder).withoutPlaceholders();
      double m = VocabularyNorms.meanNorm(model, encoder);
      int[] initIds = initializerIds(tokenizer, request.initializer());
      int vectors = request.numVectors() == null ? initIds.length : request.numVectors();
      float[][] initRows = new float[vectors][];
      float[][] groupPriors = new float[vectors][];
      for (int i = 0; i < vectors; i++) {
        initRows[i] = VocabularyNorms.row(model, encoder, initIds[i % initIds.length]);
        groupPriors[i] = Rows.normalized(initRows[i]);
      }
      priors.addAll(Arrays.asList(groupPriors));
      List<Integer> placeholderIds = tokenizer.addPlaceholderToken(request.token(), vectors);
      float[][] parameters = dti ? TrainingRun.copy(groupPriors) : TrainingRun.copy(initRows);
      groups.add(new TrainingRun.ParameterGroup(encoder, tokenizer, placeholderIds, m, parameters));
    }
    ReferenceLatents latents =
        ReferenceLatents.encode(
            model.vae(), request.images(), resolution(), viewsPerImage, request.seed());
    return new TrainingRun(
        model, request, groups, priors.toArray(float[][]::new), latents, resumeFrom);
  }

  /**
   * One step of every run in {@code runs}, in one forward and one backward pass: each run draws its
   * own batch from its own generator (exactly the draws it makes alone), the batches are
   * concatenated, and the loss is the sum over runs of each run's mean MSE. With one run the pass
   * is exactly the sequential trainer's, bit for bit; with several, each run's gradient equals its
   * gradient alone up to floating-point reassociation in the batched kernels.
   *
   * <p>A run whose loss or gradient becomes NaN or infinite in a shared pass could spoil its
   * partners' gradients (the rows are injected through one product over every run's positions), so
   * the step is then taken again for each run alone; the run that diverged alone fails, and only
   * it.
   *
   * @param runs runs that are neither done nor failed and that all {@link TrainingRun#canShareWith}
   *     the first
   * @return one outcome per run, in order
   */
  public List<StepOutcome> step(List<TrainingRun> runs) throws InterruptedException {
    if (runs.isEmpty()) {
      return List.of();
    }
    for (TrainingRun run : runs) {
      if (run.model() != model || !run.canShareWith(runs.getFirst())) {
        throw new IllegalArgumentException(
            "runs of different models or latent shapes cannot share a step");
      }
      if (run.isDone() || run.failure() != null) {
        throw new IllegalStateException("a done or failed run takes no more steps");
      }
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("training interrupted at step " + runs.getFirst().step());
    }
    float scaling = (float) model.vae().scalingFactor();
    List<TrainingRun.Batch> batches = new ArrayList<>();
    for (TrainingRun run : runs) {
      batches.add(run.drawBatch(scheduler, scaling));
    }
    Pass pass = forwardAndBackward(runs, batches);
    if (pass == null) {
      List<StepOutcome> outcomes = new ArrayList<>();
      for (TrainingRun run : runs) {
        outcomes.add(step(List.of(run)).getFirst());
      }
      return outcomes;
    }
    List<StepOutcome> outcomes = new ArrayList<>();
    for (int r = 0; r < runs.size(); r++) {
      outcomes.add(runs.get(r).advance(pass.losses()[r], pass.gradients().get(r)));
    }
    return outcomes;
  }

  /** Each run's loss and its gradients per parameter group (flattened). */
  private record Pass(float[] losses, List<List<float[]>> gradients) {}

  /**
   * The shared forward and backward pass; null when several runs share it and one of them has a
   * non-finite loss or gradient.
   */
  private Pass forwardAndBackward(List<TrainingRun> runs, List<TrainingRun.Batch> batches)
      throws InterruptedException {
    boolean shared = runs.size() > 1;
    Device device = VocabularyNorms.tokenEmbedding(model).getDevice();
    Shape latentShape = runs.getFirst().latentShape();
    int total = 0;
    long[] timesteps;
    {
      List<long[]> parts = new ArrayList<>();
      for (TrainingRun.Batch batch : batches) {
        total += batch.size();
        parts.add(batch.timesteps());
      }
      timesteps = concatLongs(parts);
    }
    float[] losses = new float[runs.size()];
    List<List<float[]>> gradients = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager(device);
        NDScope scope = new NDScope()) {
      List<NDArray> originals = new ArrayList<>();
      List<NDArray> noises = new ArrayList<>();
      for (TrainingRun.Batch batch : batches) {
        Shape shape = new Shape(batch.size()).addAll(latentShape);
        originals.add(manager.create(batch.x0(), shape));
        noises.add(new GaussianNoise(batch.noiseSeed()).next(manager, shape));
      }
      NDArray original = concat(originals);
      NDArray noise = concat(noises);
      NDArray t = manager.create(timesteps);
      NDArray noisy = scheduler.addNoise(original, noise, t);
      NDArray target = vPrediction ? velocity(scheduler, original, noise, timesteps) : noise;
      List<List<NDArray>> learned = new ArrayList<>();
      for (TrainingRun run : runs) {
        List<NDArray> perGroup = new ArrayList<>();
        for (TrainingRun.ParameterGroup group : run.groups()) {
          NDArray rows =
              manager.create(
                  TrainingRun.flatten(group.parameters()), new Shape(group.vectors(), group.dim()));
          rows.setRequiresGradient(true);
          perGroup.add(rows);
        }
        learned.add(perGroup);
      }
      try (GradientLock.Held held = gradientLock.acquire();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        Map<String, Map<Integer, NDArray>> injected = new LinkedHashMap<>();
        Map<String, Integer> nextFreeId = new HashMap<>();
        for (int r = 0; r < runs.size(); r++) {
          TrainingRun run = runs.get(r);
          for (int g = 0; g < run.groups().size(); g++) {
            TrainingRun.ParameterGroup group = run.groups().get(g);
            // e = m·v for DTI; m is a native scalar that lives until backward (a Java-number mul
            // would point the graph at a buffer DJL frees right after the op).
            NDArray embedding =
                run.isDti()
                    ? learned
                        .get(r)
                        .get(g)
                        .mul(manager.full(new Shape(), (float) group.normM(), DataType.FLOAT32))
                    : learned.get(r).get(g);
            int firstId = group.placeholderIds().getFirst();
            int offset = nextFreeId.getOrDefault(group.encoder(), firstId) - firstId;
            Map<Integer, NDArray> rows =
                injected.computeIfAbsent(group.encoder(), e -> new HashMap<>());
            for (int i = 0; i < group.vectors(); i++) {
              rows.put(group.placeholderIds().get(i) + offset, embedding.get(i));
            }
            nextFreeId.put(group.encoder(), firstId + offset + group.vectors());
            if (offset != 0) {
              movePlaceholders(batches.get(r).inputIds().get(group.encoder()), group, offset);
            }
          }
        }
        Map<String, NDArray> inputIds = new LinkedHashMap<>();
        for (TrainingRun.ParameterGroup group : runs.getFirst().groups()) {
          List<long[]> parts = new ArrayList<>();
          for (TrainingRun.Batch batch : batches) {
            parts.add(batch.inputIds().get(group.encoder()));
          }
          int maxLength = group.tokenizer().maxLength();
          inputIds.put(
              group.encoder(), manager.create(concatLongs(parts), new Shape(total, maxLength)));
        }
        Conditioning conditioning = model.encode(inputIds, injected);
        NDArray prediction;
        if (model.isXL()) {
          NDArray timeIds = manager.create(timeIds(batches), new Shape(total, 6));
          prediction =
              model
                  .unet()
                  .forward(
                      noisy, t, conditioning.hiddenStates(), conditioning.textEmbeds(), timeIds);
        } else {
          prediction = model.unet().forward(noisy, t, conditioning.hiddenStates());
        }
        NDArray squaredError = prediction.sub(target).square();
        NDArray sum = null;
        int from = 0;
        for (int r = 0; r < runs.size(); r++) {
          int to = from + batches.get(r).size();
          NDArray mse =
              shared
                  ? squaredError.get(new NDIndex("{}:{}", from, to)).mean()
                  : squaredError.mean();
          losses[r] = mse.getFloat();
          if (shared && !Float.isFinite(losses[r])) {
            return null;
          }
          sum = sum == null ? mse : sum.add(mse);
          from = to;
        }
        collector.backward(sum);
        for (int r = 0; r < runs.size(); r++) {
          List<float[]> perGroup = new ArrayList<>();
          for (NDArray rows : learned.get(r)) {
            float[] gradient = rows.getGradient().toFloatArray();
            if (shared && !allFinite(gradient)) {
              return null;
            }
            perGroup.add(gradient);
          }
          gradients.add(perGroup);
        }
      }
    }
    return new Pass(losses, gradients);
  }

  /** SDXL's time ids of every example, [total, 6] flattened, from each example's view. */
  private static float[] timeIds(List<TrainingRun.Batch> batches) {
    List<float[]> rows = new ArrayList<>();
    for (TrainingRun.Batch batch : batches) {
      for (ReferenceLatents.View view : batch.views()) {
        rows.add(view.timeIds().values());
      }
    }
    float[] flat = new float[rows.size() * 6];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, flat, i * 6, 6);
    }
    return flat;
  }

  /** Moves a run's placeholder ids by {@code offset} in its token ids (in place). */
  private static void movePlaceholders(long[] ids, TrainingRun.ParameterGroup group, int offset) {
    long first = group.placeholderIds().getFirst();
    long last = group.placeholderIds().getLast();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] >= first && ids[i] <= last) {
        ids[i] += offset;
      }
    }
  }

  private static NDArray concat(List<NDArray> parts) {
    return parts.size() == 1 ? parts.getFirst() : NDArrays.concat(new NDList(parts), 0);
  }

  private static long[] concatLongs(List<long[]> parts) {
    if (parts.size() == 1) {
      return parts.getFirst();
    }
    int length = 0;
    for (long[] part : parts) {
      length += part.length;
    }
    long[] out = new long[length];
    int at = 0;
    for (long[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  private static boolean allFinite(float[] values) {
    for (float x : values) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  /** v-prediction target (SD 2.x 768): v = √ᾱ_t·ε − √(1 − ᾱ_t)·x₀. */
  private static NDArray velocity(
      DDPMScheduler scheduler, NDArray original, NDArray noise, long[] timesteps) {
    float[] alphas = scheduler.alphasCumprod();
    float[] signal = new float[timesteps.length];
    float[] noiseLevel = new float[timesteps.length];
    for (int b = 0; b < timesteps.length; b++) {
      float alpha = alphas[Math.toIntExact(timesteps[b])];
      signal[b] = (float) Math.sqrt(alpha);
      noiseLevel[b] = (float) Math.sqrt(1 - alpha);
    }
    NDManager manager = original.getManager();
    Shape perSample = new Shape(timesteps.length, 1, 1, 1);
    return noise
        .mul(manager.create(signal, perSample))
        .sub(original.mul(manager.create(noiseLevel, perSample)));
  }
}
