package dev.dti.training;

import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.scheduler.DDPMScheduler;
import dev.dti.diffusion.tokenizer.CLIPTokenizer;
import dev.dti.embedding.Embedding.EncoderRows;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Everything one training job owns while it trains: its request, its own tokenizer copy per text
 * encoder with the placeholder's ids, its cached reference latents, its learned parameter groups
 * (one per text encoder of the model, each with its own m and vMF prior), its one optimizer over
 * all groups' rows, its loss and norm curves, its step counter and whether it has failed.
 *
 * <p>A run does not own the model: {@link ConceptTrainer#step} steps a list of runs of one model in
 * one forward and backward pass. Every random number of step s is drawn from the run's own
 * generator seeded by (seed, s), so the run draws the same batch whether it trains alone, with
 * partners, or resumed from a checkpoint.
 */
public final class TrainingRun {

  /** Exponential smoothing of the reported loss (the per-step loss is very noisy). */
  private static final double LOSS_SMOOTHING = 0.9;

  /**
   * The learned rows of one text encoder: the placeholder's vectors in that encoder's tokenizer.
   *
   * @param parameters what the optimizer updates in place: unit directions v (DTI) or raw rows (TI)
   */
  record ParameterGroup(
      String encoder,
      CLIPTokenizer tokenizer,
      List<Integer> placeholderIds,
      double normM,
      float[][] parameters) {

    int vectors() {
      return parameters.length;
    }

    int dim() {
      return parameters[0].length;
    }
  }

  /**
   * One step's training examples of this run, drawn from its (seed, step) generator.
   *
   * @param x0 size × latent values: sampled latents, already scaled by the VAE's factor
   * @param inputIds per text encoder: size × max length token ids in the run's own tokenizer
   * @param views the reference view of each example
   * @param noiseSeed the seed of the examples' diffusion noise
   */
  record Batch(
      int size,
      float[] x0,
      long[] timesteps,
      Map<String, long[]> inputIds,
      List<ReferenceLatents.View> views,
      long noiseSeed) {}

  private final StableDiffusionModel model;
  private final TrainingRequest request;
  private final List<ParameterGroup> groups;
  private final float[][] optimizedRows;
  private final RowOptimizer optimizer;
  private final ReferenceLatents latents;
  private final List<String> templates;
  private final float[] losses;
  private final float[] norms;
  private int step;
  private double smoothed;
  private Map<String, EncoderRows> rows;
  private TrainingDivergedException failure;

  TrainingRun(
      StableDiffusionModel model,
      TrainingRequest request,
      List<ParameterGroup> groups,
      float[][] priors,
      ReferenceLatents latents,
      TrainingCheckpoint resumeFrom) {
    this.model = model;
    this.request = request;
    this.groups = List.copyOf(groups);
    this.latents = latents;
    this.templates = request.templates().forModel(model.dir());
    List<float[]> all = new ArrayList<>();
    for (ParameterGroup group : groups) {
      all.addAll(Arrays.asList(group.parameters()));
    }
    this.optimizedRows = all.toArray(float[][]::new);
    this.optimizer =
        isDti()
            ? new SphericalSGD(request.effectiveLearningRate(), request.kappa(), priors)
            : new AdamW(request.effectiveLearningRate(), request.weightDecay());
    this.losses = new float[request.steps()];
    this.norms = new float[request.steps()];
    if (resumeFrom != null) {
      restore(resumeFrom);
    }
    this.smoothed = step > 0 ? smoothedLoss(losses, step) : Double.NaN;
    this.rows = currentRows();
  }

  private void restore(TrainingCheckpoint checkpoint) {
    if (!checkpoint.parameters().keySet().equals(encoderNames())) {
      throw new IllegalArgumentException(
          "the checkpoint has rows for the text encoders "
              + checkpoint.parameters().keySet()
              + ", the model has "
              + encoderNames());
    }
    if (checkpoint.step() > request.steps()) {
      throw new IllegalArgumentException(
          "the checkpoint is at step "
              + checkpoint.step()
              + " of a run of "
              + request.steps()
              + " steps");
    }
    for (ParameterGroup group : groups) {
      float[][] saved = checkpoint.parameters().get(group.encoder());
      if (saved.length != group.vectors() || saved[0].length != group.dim()) {
        throw new IllegalArgumentException(
            "the checkpoint's rows of "
                + group.encoder()
                + " are "
                + saved.length
                + " × "
                + saved[0].length
                + ", the run learns "
                + group.vectors()
                + " × "
                + group.dim());
      }
      for (int i = 0; i < saved.length; i++) {
        System.arraycopy(saved[i], 0, group.parameters()[i], 0, saved[i].length);
      }
    }
    optimizer.restore(checkpoint.optimizerState());
    step = checkpoint.step();
    System.arraycopy(checkpoint.lossHistory(), 0, losses, 0, step);
    System.arraycopy(checkpoint.normHistory(), 0, norms, 0, step);
  }

  public TrainingRequest request() {
    return request;
  }

  /** Steps taken so far (the step a resumed run started from included). */
  public int step() {
    return step;
  }

  public int totalSteps() {
    return request.steps();
  }

  /** Whether the run has taken all its steps. */
  public boolean isDone() {
    return step == request.steps();
  }

  /** Why the run failed, or null while it has not. A failed run takes no more steps. */
  public TrainingDivergedException failure() {
    return failure;
  }

  /**
   * Whether this run can train in one batched pass with {@code other}. Runs share a pass when they
   * are on the same loaded model (hence the same device) and their latents have the same shape.
   * Batch sizes, methods (DTI and TI), numbers of vectors, captions, learning rates and step counts
   * may differ. Runs on different models or devices can't share (the pass runs one model's weights
   * on one device), nor can runs whose latents differ in shape (another training resolution), since
   * their examples do not stack into one tensor.
   */
  public boolean canShareWith(TrainingRun other) {
    return model == other.model && latentShape().equals(other.latentShape());
  }

  /** The current embedding rows e per text encoder, in the model's order, with each one's m. */
  public Map<String, EncoderRows> rows() {
    return rows;
  }

  /** The exact state after {@link #step()} steps; {@link ConceptTrainer#start} resumes from it. */
  public TrainingCheckpoint checkpoint() {
    Map<String, float[][]> parameters = new LinkedHashMap<>();
    for (ParameterGroup group : groups) {
      parameters.put(group.encoder(), copy(group.parameters()));
    }
    return new TrainingCheckpoint(
        step,
        parameters,
        optimizer.state(),
        Arrays.copyOf(losses, step),
        Arrays.copyOf(norms, step));
  }

  /** The learned embedding and curves of a run that {@link #isDone()}. */
  public TrainingResult result() {
    if (!isDone()) {
      throw new IllegalStateException(
          "the run is at step " + step + " of " + request.steps() + ", not done");
    }
    return new TrainingResult(rows, losses.clone(), norms.clone());
  }

  StableDiffusionModel model() {
    return model;
  }

  List<ParameterGroup> groups() {
    return groups;
  }

  boolean isDti() {
    return request.method() == TrainingMethod.DTI;
  }

  Shape latentShape() {
    return latents.latentShape();
  }

  /**
   * This step's examples, drawn in the order the trainer has always drawn them: per example a view,
   * its latent sample, a timestep and a caption; then the seed of the noise.
   */
  Batch drawBatch(DDPMScheduler scheduler, float scaling) {
    var random = new SplittableRandom(stepSeed(request.seed(), step));
    int batch = request.batchSize();
    int latentSize = Math.toIntExact(latentShape().size());
    float[] x0 = new float[batch * latentSize];
    long[] timesteps = new long[batch];
    Map<String, long[]> ids = new LinkedHashMap<>();
    for (ParameterGroup group : groups) {
      ids.put(group.encoder(), new long[batch * group.tokenizer().maxLength()]);
    }
    List<ReferenceLatents.View> views = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      ReferenceLatents.View view = latents.view(random.nextInt(latents.size()));
      views.add(view);
      for (int i = 0; i < latentSize; i++) {
        x0[b * latentSize + i] =
            (view.mean()[i] + view.std()[i] * (float) GaussianNoise.standardNormal(random))
                * scaling;
      }
      timesteps[b] = random.nextInt(scheduler.numTrainTimesteps());
      String caption = request.caption(view.imageIndex(), random.nextInt(1 << 20), templates);
      for (ParameterGroup group : groups) {
        int maxLength = group.tokenizer().maxLength();
        int[] tokens = group.tokenizer().encodePadded(caption);
        long[] out = ids.get(group.encoder());
        for (int i = 0; i < maxLength; i++) {
          out[b * maxLength + i] = tokens[i];
        }
      }
    }
    return new Batch(batch, x0, timesteps, ids, views, random.nextLong());
  }

  /**
   * Takes the step from this step's loss and the gradients per group (flattened n × d, in group
   * order): the optimizer moves every group's rows, then the curves advance. A non-finite loss or
   * row fails the run.
   */
  StepOutcome advance(float loss, List<float[]> gradients) {
    if (!Float.isFinite(loss)) {
      return fail(
          "the loss became " + loss + " at step " + (step + 1) + "; try a lower learning rate");
    }
    List<float[]> grads = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      ParameterGroup group = groups.get(g);
      grads.addAll(Arrays.asList(unflatten(gradients.get(g), group.vectors(), group.dim())));
    }
    optimizer.step(optimizedRows, grads.toArray(float[][]::new));
    Map<String, EncoderRows> next = currentRows();
    for (EncoderRows encoder : next.values()) {
      if (!Rows.allFinite(encoder.rows())) {
        return fail("a learned row became NaN or infinite at step " + (step + 1));
      }
    }
    rows = next;
    losses[step] = loss;
    norms[step] = (float) TrainingProgress.meanNorm(rows.values().iterator().next().rows());
    smoothed =
        Double.isNaN(smoothed) ? loss : LOSS_SMOOTHING * smoothed + (1 - LOSS_SMOOTHING) * loss;
    var progress =
        new TrainingProgress(step + 1, request.steps(), loss, smoothed, norms[step], rows);
    step++;
    return new StepOutcome.Advanced(this, progress);
  }

  private StepOutcome fail(String message) {
    failure = new TrainingDivergedException(message);
    return new StepOutcome.Diverged(this, failure);
  }

  private Map<String, EncoderRows> currentRows() {
    Map<String, EncoderRows> out = new LinkedHashMap<>();
    for (ParameterGroup group : groups) {
      float[][] e = isDti() ? scaled(group.parameters(), group.normM()) : copy(group.parameters());
      out.put(group.encoder(), new EncoderRows(e, group.normM()));
    }
    return out;
  }

  private java.util.Set<String> encoderNames() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (ParameterGroup group : groups) {
      names.add(group.encoder());
    }
    return names;
  }

  /** A generator seed for step s of a run: independent of where a run was resumed. */
  static long stepSeed(long seed, int step) {
    return seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1;
  }

  private static double smoothedLoss(float[] losses, int count) {
    double smoothed = losses[0];
    for (int i = 1; i < count; i++) {
      smoothed = LOSS_SMOOTHING * smoothed + (1 - LOSS_SMOOTHING) * losses[i];
    }
    return smoothed;
  }

  private static float[][] scaled(float[][] directions, double m) {
    float[][] out = new float[directions.length][];
    for (int i = 0; i < directions.length; i++) {
      out[i] = Rows.scaled(directions[i], m);
    }
    return out;
  }

  static float[] flatten(float[][] rows) {
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

  static float[][] copy(float[][] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i].clone();
    }
    return out;
  }
}
