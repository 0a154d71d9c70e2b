package dev.dti.diffusion.scheduler;

import static dev.dti.diffusion.scheduler.Coefficients.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.nn.GaussianNoise;

/**
 * diffusers' {@code EulerDiscreteScheduler} without churn (Karras et al. 2022, Algorithm 2 with γ =
 * 0): σ_t = √((1−ᾱ_t)/ᾱ_t), the model sees x/√(σ²+1), and each step is one Euler step of the
 * probability-flow ODE, x ← x + (x − x̂_0)/σ · (σ_next − σ).
 */
public final class EulerDiscreteScheduler implements Scheduler {

  private final SchedulerConfig config;

  /** σ at every training timestep, float32 as numpy computes it from float32 ᾱ. */
  private final float[] trainSigmas;

  private float[] timesteps;
  private float[] sigmas;

  public EulerDiscreteScheduler(SchedulerConfig config) {
    this.config = config;
    float[] alphasCumprod = Betas.alphasCumprod(Betas.betas(config));
    trainSigmas = new float[alphasCumprod.length];
    for (int i = 0; i < alphasCumprod.length; i++) {
      float ratio = (1f - alphasCumprod[i]) / alphasCumprod[i];
      trainSigmas[i] = (float) Math.sqrt(ratio);
    }
  }

  public SchedulerConfig config() {
    return config;
  }

  /** Timesteps (float, highest first) and their σ, linearly interpolated, followed by σ = 0. */
  @Override
  public void setTimesteps(int steps) {
    double[] spaced = TimestepSpacing.timesteps(config, steps);
    float[] chosen = new float[steps];
    float[] chosenSigmas = new float[steps + 1];
    for (int i = 0; i < steps; i++) {
      chosen[i] = (float) spaced[i];
      chosenSigmas[i] = (float) interpolate(chosen[i]);
    }
    this.timesteps = chosen;
    this.sigmas = chosenSigmas;
  }

  /** np.interp(t, arange(T), σ) on float64. */
  private double interpolate(double t) {
    int low = (int) Math.floor(t);
    if (low >= trainSigmas.length - 1) {
      return trainSigmas[trainSigmas.length - 1];
    }
    double fraction = t - low;
    return trainSigmas[low] + (trainSigmas[low + 1] - (double) trainSigmas[low]) * fraction;
  }

  public float[] timesteps() {
    requireTimesteps();
    return timesteps.clone();
  }

  @Override
  public NDArray timesteps(NDManager manager) {
    requireTimesteps();
    return manager.create(timesteps);
  }

  public float[] sigmas() {
    requireTimesteps();
    return sigmas.clone();
  }

  /** σ of the initial noise: max σ, or √(max σ² + 1) for 'leading' spacing (as diffusers). */
  @Override
  public double initNoiseSigma() {
    requireTimesteps();
    double max = 0;
    for (float sigma : sigmas) {
      max = Math.max(max, sigma);
    }
    return config.timestepSpacing().equals("leading") ? Math.sqrt(max * max + 1) : max;
  }

  /** The model input at step {@code stepIndex}: x / √(σ² + 1). */
  @Override
  public NDArray scaleModelInput(NDArray sample, int stepIndex) {
    requireTimesteps();
    double sigma = sigmas[stepIndex];
    return sample.div(scalar(sample, Math.sqrt(sigma * sigma + 1)));
  }

  /** One Euler step from timesteps()[stepIndex] to the next σ (0 after the last step). */
  public SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample) {
    requireTimesteps();
    double sigma = sigmas[stepIndex];
    NDArray predOriginal =
        switch (config.predictionType()) {
          case "epsilon" -> sample.sub(modelOutput.mul(scalar(sample, sigma)));
          case "sample" -> modelOutput;
          case "v_prediction" ->
              modelOutput
                  .mul(scalar(sample, -sigma / Math.sqrt(sigma * sigma + 1)))
                  .add(sample.div(scalar(sample, sigma * sigma + 1)));
          default ->
              throw new IllegalArgumentException(
                  "EulerDiscreteScheduler does not support prediction_type "
                      + config.predictionType());
        };
    NDArray derivative = sample.sub(predOriginal).div(scalar(sample, sigma));
    double dt = sigmas[stepIndex + 1] - sigma;
    NDArray prev = sample.add(derivative.mul(scalar(sample, dt)));
    return new SchedulerOutput(prev, predOriginal);
  }

  /** The same step; Euler without churn adds no noise, so {@code noise} is not read. */
  @Override
  public SchedulerOutput step(
      NDArray modelOutput, int stepIndex, NDArray sample, GaussianNoise noise) {
    return step(modelOutput, stepIndex, sample);
  }

  private void requireTimesteps() {
    if (timesteps == null) {
      throw new IllegalStateException("call setTimesteps before stepping");
    }
  }
}
