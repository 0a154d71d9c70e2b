package dev.dti.diffusion.scheduler;

import static dev.dti.diffusion.scheduler.Coefficients.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.nn.GaussianNoise;
import java.util.Arrays;

/**
 * diffusers' {@code DDIMScheduler} (Song et al., Denoising Diffusion Implicit Models, eq. 12):
 *
 * <pre>
 *   x̂_0      = (x_t − √(1−ᾱ_t)·ε) / √ᾱ_t
 *   σ_t      = η · √((1−ᾱ_prev)/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_prev))
 *   x_prev   = √ᾱ_prev·x̂_0 + √(1−ᾱ_prev−σ_t²)·ε + σ_t·z,   z ~ N(0, 1)
 * </pre>
 *
 * with ᾱ_prev = final_alpha_cumprod when the previous timestep is below 0. Through {@link
 * Scheduler} it steps with the η given at construction; the timestep-addressed {@code step} methods
 * take η per call, as diffusers' {@code step(..., eta)} does.
 */
public final class DDIMScheduler implements Scheduler {

  private final SchedulerConfig config;
  private final float[] alphasCumprod;
  private final float finalAlphaCumprod;
  private final double eta;
  private int numInferenceSteps;
  private int[] timesteps;

  /** A deterministic DDIM scheduler (η = 0). */
  public DDIMScheduler(SchedulerConfig config) {
    this(config, 0);
  }

  /** A DDIM scheduler whose {@link Scheduler} steps use η = {@code eta} (≥ 0). */
  public DDIMScheduler(SchedulerConfig config, double eta) {
    if (!(eta >= 0)) {
      throw new IllegalArgumentException("eta must not be negative");
    }
    this.config = config;
    this.alphasCumprod = Betas.alphasCumprod(Betas.betas(config));
    this.finalAlphaCumprod = config.setAlphaToOne() ? 1f : alphasCumprod[0];
    this.eta = eta;
  }

  public SchedulerConfig config() {
    return config;
  }

  /** σ of the initial noise: DDIM starts from N(0, 1). */
  @Override
  public double initNoiseSigma() {
    return 1.0;
  }

  /** ᾱ used for the step that lands before timestep 0. */
  public float finalAlphaCumprod() {
    return finalAlphaCumprod;
  }

  @Override
  public void setTimesteps(int steps) {
    double[] spaced = TimestepSpacing.timesteps(config, steps);
    int[] chosen = new int[steps];
    for (int i = 0; i < steps; i++) {
      chosen[i] = (int) Math.rint(spaced[i]); // numpy's round: half to even
    }
    this.numInferenceSteps = steps;
    this.timesteps = chosen;
  }

  public int[] timesteps() {
    requireTimesteps();
    return timesteps.clone();
  }

  @Override
  public NDArray timesteps(NDManager manager) {
    requireTimesteps();
    return manager.create(Arrays.stream(timesteps).asLongStream().toArray());
  }

  /** DDIM feeds the sample to the model unscaled. */
  @Override
  public NDArray scaleModelInput(NDArray sample, int stepIndex) {
    return sample;
  }

  /** The step from timesteps()[stepIndex] with this scheduler's η. */
  @Override
  public SchedulerOutput step(
      NDArray modelOutput, int stepIndex, NDArray sample, GaussianNoise noise) {
    requireTimesteps();
    return step(modelOutput, timesteps[stepIndex], sample, eta, noise);
  }

  /** A deterministic step (η = 0). */
  public SchedulerOutput step(NDArray modelOutput, int timestep, NDArray sample) {
    return step(modelOutput, timestep, sample, 0, null);
  }

  /**
   * One reverse step from {@code timestep}. With η > 0 the added noise z comes from {@code noise},
   * so a seeded generator makes the whole trajectory reproducible.
   */
  public SchedulerOutput step(
      NDArray modelOutput, int timestep, NDArray sample, double eta, GaussianNoise noise) {
    requireTimesteps();
    if (eta > 0 && noise == null) {
      throw new IllegalArgumentException("eta > 0 needs a noise generator");
    }
    int prevTimestep = timestep - config.numTrainTimesteps() / numInferenceSteps;
    double alphaProd = alphasCumprod[timestep];
    double alphaProdPrev = prevTimestep >= 0 ? alphasCumprod[prevTimestep] : finalAlphaCumprod;
    double betaProd = 1 - alphaProd;

    NDArray predOriginal;
    NDArray predEpsilon;
    switch (config.predictionType()) {
      case "epsilon" -> {
        predOriginal =
            sample
                .sub(modelOutput.mul(scalar(sample, Math.sqrt(betaProd))))
                .div(scalar(sample, Math.sqrt(alphaProd)));
        predEpsilon = modelOutput;
      }
      case "sample" -> {
        predOriginal = modelOutput;
        predEpsilon =
            sample
                .sub(predOriginal.mul(scalar(sample, Math.sqrt(alphaProd))))
                .div(scalar(sample, Math.sqrt(betaProd)));
      }
      case "v_prediction" -> {
        predOriginal =
            sample
                .mul(scalar(sample, Math.sqrt(alphaProd)))
                .sub(modelOutput.mul(scalar(sample, Math.sqrt(betaProd))));
        predEpsilon =
            modelOutput
                .mul(scalar(sample, Math.sqrt(alphaProd)))
                .add(sample.mul(scalar(sample, Math.sqrt(betaProd))));
      }
      default -> throw new IllegalStateException(config.predictionType());
    }
    if (config.clipSample()) {
      double range = config.clipSampleRange();
      predOriginal = predOriginal.maximum(scalar(sample, -range)).minimum(scalar(sample, range));
    }

    double variance = (1 - alphaProdPrev) / betaProd * (1 - alphaProd / alphaProdPrev);
    double std = eta * Math.sqrt(variance);
    NDArray direction = predEpsilon.mul(scalar(sample, Math.sqrt(1 - alphaProdPrev - std * std)));
    NDArray prev = predOriginal.mul(scalar(sample, Math.sqrt(alphaProdPrev))).add(direction);
    if (eta > 0) {
      NDArray z = noise.next(sample.getManager(), modelOutput.getShape());
      prev = prev.add(z.mul(scalar(sample, std)));
    }
    return new SchedulerOutput(prev, predOriginal);
  }

  private void requireTimesteps() {
    if (timesteps == null) {
      throw new IllegalStateException("call setTimesteps before stepping");
    }
  }
}
