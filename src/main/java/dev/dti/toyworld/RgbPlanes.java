package dev.dti.toyworld;

import java.awt.Image;
import java.awt.image.BufferedImage;

/** Conversions between images and planar float RGB in 8-bit units (0–255). */
final class RgbPlanes {

  private RgbPlanes() {}

  static BufferedImage toImage(float[][] rgb, int width, int height) {
    var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = y * width + x;
        image.setRGB(
            x, y, (toByte(rgb[0][p]) << 16) | (toByte(rgb[1][p]) << 8) | toByte(rgb[2][p]));
      }
    }
    return image;
  }

  static float[][] toPlanes(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[][] rgb = new float[3][width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int argb = image.getRGB(x, y);
        int p = y * width + x;
        rgb[0][p] = (argb >> 16) & 0xff;
        rgb[1][p] = (argb >> 8) & 0xff;
        rgb[2][p] = argb & 0xff;
      }
    }
    return rgb;
  }

  /** The image at size × size, area-averaged when it has another size. */
  static BufferedImage resized(BufferedImage image, int size) {
    if (image.getWidth() == size && image.getHeight() == size) {
      return image;
    }
    Image scaled = image.getScaledInstance(size, size, Image.SCALE_AREA_AVERAGING);
    var resized = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    var graphics = resized.createGraphics();
    graphics.drawImage(scaled, 0, 0, null);
    graphics.dispose();
    return resized;
  }

  private static int toByte(float value) {
    return Math.clamp(Math.round(value), 0, 255);
  }
}
