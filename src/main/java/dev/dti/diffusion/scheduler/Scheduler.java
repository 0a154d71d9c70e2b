package dev.dti.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.nn.GaussianNoise;

/**
 * What a sampling loop needs from a scheduler, as diffusers' {@code SchedulerMixin} gives it to
 * {@code StableDiffusionPipeline}:
 *
 * <pre>
 *   scheduler.setTimesteps(n)
 *   x = N(0, 1) · initNoiseSigma()
 *   for i, t in enumerate(timesteps):  ε = unet(scaleModelInput(x, i), t, text)
 *                                      x = step(ε, i, x, noise).prevSample()
 * </pre>
 *
 * Steps are addressed by their index in {@link #timesteps}: diffusers' Euler scheduler looks that
 * index up from the timestep value, DDIM uses the value; here both take the index. An instance
 * serves one sampling run at a time.
 */
public interface Scheduler {

  /** Chooses the {@code steps} timesteps of sampling, highest first, by timestep_spacing. */
  void setTimesteps(int steps);

  /**
   * The timesteps chosen by {@link #setTimesteps}, [steps], as the UNet's timestep input: int64 for
   * DDIM, float32 for Euler (as diffusers passes them).
   */
  NDArray timesteps(NDManager manager);

  /** σ of the initial noise: the seeded N(0, 1) latents are multiplied by it. */
  double initNoiseSigma();

  /** The UNet's input at step {@code stepIndex} for the current sample. */
  NDArray scaleModelInput(NDArray sample, int stepIndex);

  /**
   * One reverse step from timestep {@code stepIndex}. {@code noise} gives any noise the step adds
   * (DDIM with η > 0), so a seeded generator makes the whole trajectory reproducible; schedulers
   * that add none do not read it.
   */
  SchedulerOutput step(NDArray modelOutput, int stepIndex, NDArray sample, GaussianNoise noise);
}
