package dev.dti.diffusion.pipeline;

/**
 * What a text-to-image call may vary besides the prompt. Sizes are in pixels and must be multiples
 * of the VAE scale factor; η = 0 gives deterministic DDIM, η > 0 adds seeded noise at each step.
 */
public record GenerationSettings(
    int width, int height, int steps, double guidanceScale, double eta, long seed) {

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
}
