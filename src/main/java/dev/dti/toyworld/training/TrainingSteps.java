package dev.dti.toyworld.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.scheduler.DDPMScheduler;
import dev.dti.diffusion.vae.DiagonalGaussianDistribution;
import dev.dti.job.GradientLock;
import dev.dti.toyworld.Scene;
import dev.dti.toyworld.ToyWorld;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One forward and backward pass of each training stage, on the batch {@link ToyData} defines for
 * (seed, step). Each runs in its own NDScope with one GradientCollector; every constant on the
 * gradient path is a native scalar from the model's {@code Scalars} (DJL's Java-number ops would
 * leave the graph pointing at freed buffers). The optimizer update happens after, outside the
 * scope.
 */
public final class TrainingSteps {

  /** Weight of the KL term against the per-pixel reconstruction MSE (both means). */
  public static final float KL_WEIGHT = 1e-4f;

  /** Share of captions replaced by the empty caption, for classifier-free guidance. */
  public static final double CAPTION_DROPOUT = 0.1;

  private final ToyModel model;
  private final long seed;
  private final int batch;
  private final DDPMScheduler scheduler;
  private final double scalingFactor;

  /** {@code scalingFactor}: what latents are multiplied by (1/std, measured after stage 1). */
  public TrainingSteps(ToyModel model, long seed, int batch, double scalingFactor) {
    this.model = model;
    this.seed = seed;
    this.batch = batch;
    this.scalingFactor = scalingFactor;
    this.scheduler = new DDPMScheduler(model.architecture().scheduler());
  }

  /** Reconstruction MSE + KL_WEIGHT · KL of the VAE at {@code step}; returns {mse, kl}. */
  public float[] vaeStep(NDManager manager, long step) {
    try (NDManager local = manager.newSubManager();
        NDScope ignored = new NDScope()) {
      List<Scene> scenes = ToyData.scenes(seed, ToyData.Stream.VAE, step, batch);
      NDArray images = ToyData.pixels(local, scenes);
      GaussianNoise noise = ToyData.noise(seed, ToyData.Stream.VAE, step, 1);
      var scalars = model.scalars();
      try (GradientLock.Held held = gradientPermit();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        DiagonalGaussianDistribution posterior = model.vae().encode(images);
        NDArray epsilon = noise.next(local, posterior.mean().getShape());
        NDArray latent = posterior.mean().add(posterior.std().mul(epsilon));
        NDArray reconstruction = model.vae().decode(latent);
        NDArray error = reconstruction.sub(images);
        NDArray mse = error.mul(error).mean();
        NDArray mean = posterior.mean();
        NDArray logvar = posterior.logvar();
        NDArray kl =
            mean.mul(mean)
                .add(logvar.exp())
                .sub(scalars.of(1f))
                .sub(logvar)
                .mean()
                .mul(scalars.of(0.5f));
        NDArray loss = mse.add(kl.mul(scalars.of(KL_WEIGHT)));
        collector.backward(loss);
        return new float[] {mse.getFloat(), kl.getFloat()};
      }
    }
  }

  /** {@link #diffusionStep(NDManager, ToyData.Stream, long)} on stage 2's stream. */
  public float diffusionStep(NDManager manager, long step) {
    return diffusionStep(manager, ToyData.Stream.DIFFUSION, step);
  }

  /**
   * Epsilon-prediction MSE of text encoder + UNet at {@code step} of {@code stream}: latents of the
   * step's pictures (VAE frozen, scaled by its scaling_factor), a uniform timestep and fresh noise
   * per picture.
   */
  public float diffusionStep(NDManager manager, ToyData.Stream stream, long step) {
    try (NDManager local = manager.newSubManager();
        NDScope ignored = new NDScope()) {
      List<Scene> scenes = ToyData.scenes(seed, stream, step, batch);
      SplittableRandom dropout = ToyData.random(seed, stream, step, 1);
      GaussianNoise noise = ToyData.noise(seed, stream, step, 2);
      SplittableRandom times = ToyData.random(seed, stream, step, 3);
      List<String> captions = new ArrayList<>(batch);
      for (Scene scene : scenes) {
        captions.add(dropout.nextDouble() < CAPTION_DROPOUT ? "" : ToyWorld.caption(scene));
      }
      NDArray latents = latents(local, ToyData.pixels(local, scenes), noise);
      long[] t = new long[batch];
      for (int i = 0; i < batch; i++) {
        t[i] = times.nextInt(scheduler.numTrainTimesteps());
      }
      NDArray timesteps = local.create(t);
      NDArray epsilon = noise.next(local, latents.getShape());
      NDArray noisy = scheduler.addNoise(latents, epsilon, timesteps);
      NDArray ids = ToyData.tokens(local, captions);
      try (GradientLock.Held held = gradientPermit();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray text = model.textEncoder().forward(ids).lastHiddenState();
        NDArray prediction = model.unet().forward(noisy, timesteps, text);
        NDArray error = prediction.sub(epsilon);
        NDArray loss = error.mul(error).mean();
        collector.backward(loss);
        return loss.getFloat();
      }
    }
  }

  /** The JVM's one permit to collect gradients (DJL allows a single active collector). */
  private static GradientLock.Held gradientPermit() {
    try {
      return GradientLock.jvmWide().acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the gradient lock", e);
    }
  }

  /** Scaled latent samples (mean + std · ε) of images; no gradient (called outside a collector). */
  NDArray latents(NDManager manager, NDArray images, GaussianNoise noise) {
    DiagonalGaussianDistribution posterior = model.vae().encode(images);
    NDArray epsilon = noise.next(manager, posterior.mean().getShape());
    NDArray scale =
        manager.full(new Shape(), (float) scalingFactor, posterior.mean().getDataType());
    return posterior.mean().add(posterior.std().mul(epsilon)).mul(scale);
  }
}
