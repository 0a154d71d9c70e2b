package dev.dti.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.pipeline.AddTimeIds;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.DiagonalGaussianDistribution;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference images as VAE latent distributions, encoded once per image and augmentation.
 *
 * <p>Augmentation is a random square crop (80–100% of the shorter side; the first view of every
 * image is the centred full crop) resized to the model's resolution; no flips. Each training step
 * then samples a latent from a cached distribution (mean + std·ε), which is what encoding the same
 * view every step would give, without running the encoder again.
 */
final class ReferenceLatents {

  /**
   * One encoded view: the mean and standard deviation of its latent, flattened, and its SDXL
   * micro-conditioning: the image's size before the resize, the crop's top-left corner in the image
   * scaled so that the crop is the training resolution, and the resolution as the target.
   */
  record View(int imageIndex, float[] mean, float[] std, AddTimeIds timeIds) {}

  /** A square region of an image: top-left corner (x, y) and side, in the image's pixels. */
  record Crop(int x, int y, int size) {

    /**
     * SDXL's time ids of this crop resized to {@code resolution}² (as diffusers' SDXL training
     * scripts compute them: original size, crop corner after the resize, target size).
     */
    AddTimeIds timeIds(BufferedImage image, int resolution) {
      double scale = resolution / (double) size;
      return new AddTimeIds(
          image.getHeight(),
          image.getWidth(),
          (int) Math.round(y * scale),
          (int) Math.round(x * scale),
          resolution,
          resolution);
    }
  }

  private static final double MIN_CROP = 0.8;

  private final List<View> views;
  private final Shape latentShape;

  private ReferenceLatents(List<View> views, Shape latentShape) {
    this.views = views;
    this.latentShape = latentShape;
  }

  static ReferenceLatents encode(
      AutoencoderKL vae, List<BufferedImage> images, int resolution, int viewsPerImage, long seed) {
    var random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    List<View> views = new ArrayList<>();
    Shape latentShape = null;
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int index = 0; index < images.size(); index++) {
        for (int view = 0; view < viewsPerImage; view++) {
          BufferedImage image = images.get(index);
          Crop region = region(image, view == 0 ? null : random);
          BufferedImage crop = crop(image, region, resolution);
          try (NDManager step = manager.newSubManager()) {
            NDArray pixels =
                step.create(toUnitRange(crop), new Shape(1, 3, resolution, resolution));
            DiagonalGaussianDistribution latent = vae.encode(pixels);
            latentShape = latent.mean().getShape().slice(1);
            views.add(
                new View(
                    index,
                    latent.mean().toFloatArray(),
                    latent.std().toFloatArray(),
                    region.timeIds(image, resolution)));
          }
        }
      }
    }
    return new ReferenceLatents(List.copyOf(views), latentShape);
  }

  int size() {
    return views.size();
  }

  View view(int index) {
    return views.get(index);
  }

  /** [C, h, w] of one latent. */
  Shape latentShape() {
    return latentShape;
  }

  /** A square crop region: centred and full when {@code random} is null, else random. */
  static Crop region(BufferedImage image, SplittableRandom random) {
    int side = Math.min(image.getWidth(), image.getHeight());
    int size = side;
    int x = (image.getWidth() - side) / 2;
    int y = (image.getHeight() - side) / 2;
    if (random != null) {
      size = (int) Math.round(side * (MIN_CROP + (1 - MIN_CROP) * random.nextDouble()));
      x = random.nextInt(image.getWidth() - size + 1);
      y = random.nextInt(image.getHeight() - size + 1);
    }
    return new Crop(x, y, size);
  }

  /** The region of the image resized to resolution². */
  static BufferedImage crop(BufferedImage image, Crop region, int resolution) {
    int x = region.x();
    int y = region.y();
    int size = region.size();
    BufferedImage out = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    var g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      var pixels = image.getSubimage(x, y, size, size);
      if (size > 2 * resolution) {
        // Area averaging avoids the aliasing of one bicubic step over a large downscale.
        g.drawImage(
            pixels.getScaledInstance(resolution, resolution, java.awt.Image.SCALE_AREA_AVERAGING),
            0,
            0,
            null);
      } else {
        g.drawImage(pixels, 0, 0, resolution, resolution, null);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /** RGB → planar [3, H, W] floats in [-1, 1], as diffusers' training scripts normalise. */
  static float[] toUnitRange(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    float[] out = new float[3 * w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, y);
        int i = y * w + x;
        out[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
        out[w * h + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
        out[2 * w * h + i] = (rgb & 0xFF) / 127.5f - 1f;
      }
    }
    return out;
  }
}
