package dev.dti.concept;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * Shrinks an image so its long side is at most a limit, keeping the aspect ratio. One bicubic step
 * from a large image to a much smaller one samples only a few source pixels per target pixel and
 * aliases (moiré, jagged edges); halving repeatedly first with bilinear filtering averages every
 * source pixel, and a last bicubic step reaches the exact size.
 */
final class ImageDownscaler {

  private ImageDownscaler() {}

  /** {@code image} itself when it is small enough, otherwise a new image of the same type. */
  static BufferedImage fitLongSide(BufferedImage image, int maxLongSide) {
    int width = image.getWidth();
    int height = image.getHeight();
    int longSide = Math.max(width, height);
    if (longSide <= maxLongSide) {
      return image;
    }
    double scale = (double) maxLongSide / longSide;
    int targetWidth = Math.max(1, (int) Math.round(width * scale));
    int targetHeight = Math.max(1, (int) Math.round(height * scale));
    BufferedImage current = image;
    while (current.getWidth() / 2 >= targetWidth && current.getHeight() / 2 >= targetHeight) {
      current =
          resize(
              current,
              current.getWidth() / 2,
              current.getHeight() / 2,
              RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }
    return resize(current, targetWidth, targetHeight, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
  }

  private static BufferedImage resize(
      BufferedImage image, int width, int height, Object interpolation) {
    var resized = new BufferedImage(width, height, image.getType());
    Graphics2D g = resized.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return resized;
  }
}
