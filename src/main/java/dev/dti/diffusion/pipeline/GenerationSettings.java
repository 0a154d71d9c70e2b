package dev.dti.diffusion.pipeline;

import dev.dti.diffusion.scheduler.SchedulerType;

/**
 * What a text-to-image call may vary besides the prompt. Sizes are in pixels and must be multiples
 * of the VAE scale factor; η is DDIM's (0 gives deterministic DDIM, η > 0 adds seeded noise at each
 * step; Euler has no such term). A null scheduler means the model's default.
 */
public record GenerationSettings(
    int width,
    int height,
    int steps,
    double guidanceScale,
    double eta,
    long seed,
    SchedulerType scheduler) {

  public GenerationSettings {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("width and height must be positive");
    }
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be at least 1");
    }
    if (eta < 0) {
      throw new IllegalArgumentException("eta must not be negative");
    }
  }

  /**
   * Settings that sample with the model's default scheduler: DDIM for SD 1.x/2.x, Euler for SDXL
   * (see {@link TextToImage}).
   */
  public GenerationSettings(
      int width, int height, int steps, double guidanceScale, double eta, long seed) {
    this(width, height, steps, guidanceScale, eta, seed, null);
  }
}
