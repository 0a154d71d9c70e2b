package dev.dti.toyworld;

import java.awt.image.BufferedImage;
import java.util.random.RandomGenerator;

/**
 * Imitates the flaws of a generated picture: a Gaussian blur of {@code blurSigma} pixels, then
 * Gaussian pixel noise of {@code noiseSigma} (as a share of the 0–255 range), clipped to range.
 */
public record Degradation(String name, double blurSigma, double noiseSigma) {

  public static final Degradation CLEAN = new Degradation("clean", 0, 0);
  public static final Degradation BLUR_NOISE_005 =
      new Degradation("blur 0.6 px + noise σ 0.05", 0.6, 0.05);
  public static final Degradation BLUR_NOISE_010 =
      new Degradation("blur 0.6 px + noise σ 0.10", 0.6, 0.10);

  /** Beyond what generated pictures should show: where the judge starts to fail. */
  public static final Degradation STRESS =
      new Degradation("stress: blur 1.0 px + noise σ 0.20", 1.0, 0.20);

  public BufferedImage apply(BufferedImage image, RandomGenerator random) {
    if (blurSigma == 0 && noiseSigma == 0) {
      return image;
    }
    int width = image.getWidth();
    int height = image.getHeight();
    float[][] rgb = RgbPlanes.toPlanes(image);
    for (int c = 0; c < 3; c++) {
      if (blurSigma > 0) {
        rgb[c] = blur(rgb[c], width, height);
      }
      for (int p = 0; p < rgb[c].length; p++) {
        rgb[c][p] += (float) (random.nextGaussian() * noiseSigma * 255);
      }
    }
    return RgbPlanes.toImage(rgb, width, height);
  }

  /** Separable Gaussian blur with a kernel of radius ⌈3σ⌉, edges repeated. */
  private float[] blur(float[] plane, int width, int height) {
    int radius = (int) Math.ceil(3 * blurSigma);
    double[] kernel = new double[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      kernel[i + radius] = Math.exp(-i * i / (2 * blurSigma * blurSigma));
      sum += kernel[i + radius];
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] /= sum;
    }
    float[] rows = new float[plane.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double value = 0;
        for (int i = -radius; i <= radius; i++) {
          value += kernel[i + radius] * plane[y * width + Math.clamp(x + i, 0, width - 1)];
        }
        rows[y * width + x] = (float) value;
      }
    }
    float[] out = new float[plane.length];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double value = 0;
        for (int i = -radius; i <= radius; i++) {
          value += kernel[i + radius] * rows[Math.clamp(y + i, 0, height - 1) * width + x];
        }
        out[y * width + x] = (float) value;
      }
    }
    return out;
  }
}
