package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * SDXL's micro-conditioning, as diffusers' {@code _get_add_time_ids}: {@code [orig_h, orig_w,
 * crop_top, crop_left, target_h, target_w]} in pixels, fed to the UNet's text_time embedding next
 * to the pooled text embedding. At sampling the pipeline's defaults are the image size, no crop and
 * the image size again ({@link #of(int, int)}).
 */
public record AddTimeIds(
    int originalHeight,
    int originalWidth,
    int cropTop,
    int cropLeft,
    int targetHeight,
    int targetWidth) {

  /** The sampling defaults: original and target size (height, width), crop (0, 0). */
  public static AddTimeIds of(int height, int width) {
    return new AddTimeIds(height, width, 0, 0, height, width);
  }

  /** The six values in the pipeline's order. */
  public float[] values() {
    return new float[] {
      originalHeight, originalWidth, cropTop, cropLeft, targetHeight, targetWidth
    };
  }

  /** {@code [batch, 6]} float32, every row these ids, in {@code manager}. */
  public NDArray toArray(NDManager manager, int batch) {
    float[] row = values();
    float[] rows = new float[batch * row.length];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(row, 0, rows, b * row.length, row.length);
    }
    return manager.create(rows, new Shape(batch, row.length));
  }
}
