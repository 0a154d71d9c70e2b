package dev.dti.training;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.scheduler.DDPMScheduler;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.job.GradientLock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Learns a concept's token rows on a frozen Stable Diffusion model: Directional Textual Inversion
 * (e = m·v on the unit sphere, {@link SphericalSGD}) or the Textual Inversion baseline (raw rows,
 * {@link AdamW}).
 *
 * <p>Every step: sample a batch of cached reference latents and captions, noise them at uniform
 * random timesteps (DDPM), predict the noise with the UNet conditioned on the caption whose
 * placeholder positions carry the learned rows, and back-propagate the MSE to those rows only. All
 * randomness of step s is drawn from a generator seeded by (seed, s), so a run resumed from a
 * checkpoint takes exactly the steps an uninterrupted run would.
 */
public final class ConceptTrainer {

  /** Exponential smoothing of the reported loss (the per-step loss is very noisy). */
  private static final double LOSS_SMOOTHING = 0.9;

  /** What the caller learns after each step, and how it can stop or checkpoint the run. */
  public interface Listener {
    /**
     * Called after every step, after its checkpoint if {@link #checkpointAfter} asked for one;
     * throwing stops the run (e.g. on cancel or shutdown).
     */
    void onStep(TrainingProgress progress);

    /** Whether to call {@link #onCheckpoint} after this step; asked before {@link #onStep}. */
    boolean checkpointAfter(int step);

    void onCheckpoint(TrainingCheckpoint checkpoint, float[][] rows);
  }

  private final StableDiffusionModel model;
  private final GradientLock gradientLock;
  private final int viewsPerImage;

  public ConceptTrainer(StableDiffusionModel model, GradientLock gradientLock, int viewsPerImage) {
    this.model = model;
    this.gradientLock = gradientLock;
    this.viewsPerImage = viewsPerImage;
  }

  /** The model's resolution in pixels: UNet sample size × VAE scale factor. */
  public int resolution() {
    return model.unet().config().sampleSize() * model.vae().config().scaleFactor();
  }

  /** The initializer's token ids (no bos/eos): the source of the initial rows and of μ. */
  public int[] initializerIds(String initializer) {
    int[] ids = model.tokenizer().encode(initializer);
    int[] inner = Arrays.copyOfRange(ids, 1, ids.length - 1);
    if (inner.length == 0) {
      throw new IllegalArgumentException("the initializer '" + initializer + "' has no tokens");
    }
    return inner;
  }

  public TrainingResult train(
      TrainingRequest request, TrainingCheckpoint resumeFrom, Listener listener)
      throws InterruptedException {
    double m = VocabularyNorms.meanNorm(model);
    int[] initIds = initializerIds(request.initializer());
    int vectors = request.numVectors() == null ? initIds.length : request.numVectors();
    float[][] initRows = new float[vectors][];
    float[][] priors = new float[vectors][];
    for (int i = 0; i < vectors; i++) {
      initRows[i] = VocabularyNorms.row(model, initIds[i % initIds.length]);
      priors[i] = Rows.normalized(initRows[i]);
    }
    boolean dti = request.method() == TrainingMethod.DTI;
    RowOptimizer optimizer =
        dti
            ? new SphericalSGD(request.effectiveLearningRate(), request.kappa(), priors)
            : new AdamW(request.effectiveLearningRate(), request.weightDecay());
    float[][] parameters = dti ? copy(priors) : copy(initRows);
    float[] losses = new float[request.steps()];
    float[] norms = new float[request.steps()];
    int start = 0;
    if (resumeFrom != null) {
      start = resumeFrom.step();
      parameters = copy(resumeFrom.parameters());
      optimizer.restore(resumeFrom.optimizerState());
      System.arraycopy(resumeFrom.lossHistory(), 0, losses, 0, start);
      System.arraycopy(resumeFrom.normHistory(), 0, norms, 0, start);
    }

    List<String> templates = request.templates().forModel(model.dir());
    CLIPTokenizer tokenizer = model.tokenizer().withoutPlaceholders();
    List<Integer> placeholderIds = tokenizer.addPlaceholderToken(request.token(), vectors);
    ReferenceLatents latents =
        ReferenceLatents.encode(
            model.vae(), request.images(), resolution(), viewsPerImage, request.seed());
    var scheduler = new DDPMScheduler(model.schedulerConfig());
    boolean vPrediction = "v_prediction".equals(model.schedulerConfig().predictionType());

    double smoothed = start > 0 ? smoothedLoss(losses, start) : Double.NaN;
    float[][] rows = dti ? scaled(parameters, m) : copy(parameters);
    Device device = VocabularyNorms.tokenEmbedding(model).getDevice();
    Shape latentShape = latents.latentShape();
    int latentSize = Math.toIntExact(latentShape.size());
    int maxLength = tokenizer.maxLength();
    int dim = initRows[0].length;
    int batch = request.batchSize();
    float scaling = (float) model.vae().scalingFactor();
    for (int step = start; step < request.steps(); step++) {
      if (Thread.interrupted()) {
        throw new InterruptedException("training interrupted at step " + step);
      }
      var random = new SplittableRandom(stepSeed(request.seed(), step));
      float[] x0 = new float[batch * latentSize];
      long[] timesteps = new long[batch];
      long[] ids = new long[batch * maxLength];
      for (int b = 0; b < batch; b++) {
        ReferenceLatents.View view = latents.view(random.nextInt(latents.size()));
        for (int i = 0; i < latentSize; i++) {
          x0[b * latentSize + i] =
              (view.mean()[i] + view.std()[i] * (float) GaussianNoise.standardNormal(random))
                  * scaling;
        }
        timesteps[b] = random.nextInt(scheduler.numTrainTimesteps());
        int[] caption =
            tokenizer.encodePadded(
                request.caption(view.imageIndex(), random.nextInt(1 << 20), templates));
        for (int i = 0; i < maxLength; i++) {
          ids[b * maxLength + i] = caption[i];
        }
      }
      float loss;
      float[] gradient;
      try (NDManager manager = NDManager.newBaseManager(device);
          NDScope scope = new NDScope()) {
        NDArray original = manager.create(x0, new Shape(batch).addAll(latentShape));
        NDArray noise = new GaussianNoise(random.nextLong()).next(manager, original.getShape());
        NDArray t = manager.create(timesteps);
        NDArray noisy = scheduler.addNoise(original, noise, t);
        NDArray target = vPrediction ? velocity(scheduler, original, noise, timesteps) : noise;
        NDArray learned = manager.create(flatten(parameters), new Shape(vectors, dim));
        learned.setRequiresGradient(true);
        try (GradientLock.Held held = gradientLock.acquire();
            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
          // e = m·v for DTI; m is a native scalar that lives until backward (a Java-number mul
          // would point the graph at a buffer DJL frees right after the op).
          NDArray embedding =
              dti ? learned.mul(manager.full(new Shape(), (float) m, DataType.FLOAT32)) : learned;
          Map<Integer, NDArray> injected = new HashMap<>();
          for (int i = 0; i < vectors; i++) {
            injected.put(placeholderIds.get(i), embedding.get(i));
          }
          NDArray inputIds = manager.create(ids, new Shape(batch, maxLength));
          NDArray hidden = model.textEncoder().forward(inputIds, injected).lastHiddenState();
          NDArray prediction = model.unet().forward(noisy, t, hidden);
          NDArray mse = prediction.sub(target).square().mean();
          collector.backward(mse);
          loss = mse.getFloat();
          gradient = learned.getGradient().toFloatArray();
        }
      }
      if (!Float.isFinite(loss)) {
        throw new TrainingDivergedException(
            "the loss became " + loss + " at step " + (step + 1) + "; try a lower learning rate");
      }
      optimizer.step(parameters, unflatten(gradient, vectors, dim));
      rows = dti ? scaled(parameters, m) : copy(parameters);
      if (!Rows.allFinite(rows)) {
        throw new TrainingDivergedException(
            "a learned row became NaN or infinite at step " + (step + 1));
      }
      losses[step] = loss;
      norms[step] = (float) meanNorm(rows);
      smoothed =
          Double.isNaN(smoothed) ? loss : LOSS_SMOOTHING * smoothed + (1 - LOSS_SMOOTHING) * loss;
      // The checkpoint comes first: a listener that stops the run in onStep has it saved already.
      if (listener.checkpointAfter(step + 1)) {
        listener.onCheckpoint(
            new TrainingCheckpoint(
                step + 1,
                copy(parameters),
                optimizer.state(),
                Arrays.copyOf(losses, step + 1),
                Arrays.copyOf(norms, step + 1)),
            rows);
      }
      listener.onStep(
          new TrainingProgress(step + 1, request.steps(), loss, smoothed, norms[step], rows));
    }
    return new TrainingResult(rows, m, losses, norms);
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

  /** A generator seed for step s of a run: independent of where a run was resumed. */
  static long stepSeed(long seed, int step) {
    return seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1;
  }

  private static double meanNorm(float[][] rows) {
    double sum = 0;
    for (float[] row : rows) {
      sum += Rows.norm(row);
    }
    return sum / rows.length;
  }

  private static float[][] scaled(float[][] directions, double m) {
    float[][] out = new float[directions.length][];
    for (int i = 0; i < directions.length; i++) {
      out[i] = Rows.scaled(directions[i], m);
    }
    return out;
  }

  private static float[] flatten(float[][] rows) {
    float[] flat = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
    }
    return flat;
  }

  private static float[][] unflatten(float[] flat, int n, int d) {
    float[][] rows = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * d, rows[i], 0, d);
    }
    return rows;
  }

  private static double smoothedLoss(float[] losses, int count) {
    double smoothed = losses[0];
    for (int i = 1; i < count; i++) {
      smoothed = LOSS_SMOOTHING * smoothed + (1 - LOSS_SMOOTHING) * losses[i];
    }
    return smoothed;
  }

  static float[][] copy(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
    }
    return out;
  }
}
