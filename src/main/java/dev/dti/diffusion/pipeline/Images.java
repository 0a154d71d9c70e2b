package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** VAE output [B, 3, H, W] in [-1, 1] → 8-bit RGB images, as diffusers' image processor does. */
public final class Images {

  private Images() {}

  /** x/2 + 0.5, clamped to [0, 1], times 255, rounded: diffusers' postprocess + numpy_to_pil. */
  public static List<BufferedImage> fromDecoded(NDArray decoded) {
    long[] shape = decoded.getShape().getShape();
    if (shape.length != 4 || shape[1] != 3) {
      throw new IllegalArgumentException("expected [B, 3, H, W], got " + decoded.getShape());
    }
    int batch = (int) shape[0];
    int height = (int) shape[2];
    int width = (int) shape[3];
    float[] values = decoded.toFloatArray();
    int plane = height * width;
    List<BufferedImage> images = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      int offset = b * 3 * plane;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = offset + y * width + x;
          int rgb =
              toByte(values[i]) << 16
                  | toByte(values[i + plane]) << 8
                  | toByte(values[i + 2 * plane]);
          image.setRGB(x, y, rgb);
        }
      }
      images.add(image);
    }
    return images;
  }

  private static int toByte(float value) {
    float unit = Math.min(1f, Math.max(0f, value / 2 + 0.5f));
    return (int) Math.rint(unit * 255); // numpy rounds half to even
  }

  public static byte[] png(BufferedImage image) {
    var out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
