package dev.dti.toyworld;

/**
 * Anti-aliased rasterization: the fraction of each pixel a shape covers, measured on a regular grid
 * of sub-pixel samples (supersampling followed by a box downscale). The renderer and the judge's
 * shape templates share it, so a template is exactly what the renderer would draw.
 */
final class Coverage {

  private Coverage() {}

  /**
   * Coverage in [0, 1] of a width × height image (row-major), with samples × samples points per
   * pixel; only pixels that can touch the object's box are visited.
   */
  static float[] of(
      Shape shape,
      double centreX,
      double centreY,
      double size,
      int width,
      int height,
      int samples) {
    float[] coverage = new float[width * height];
    int x0 = Math.max(0, (int) Math.floor(centreX - size));
    int x1 = Math.min(width - 1, (int) Math.ceil(centreX + size));
    int y0 = Math.max(0, (int) Math.floor(centreY - size));
    int y1 = Math.min(height - 1, (int) Math.ceil(centreY + size));
    float perSample = 1f / (samples * samples);
    for (int py = y0; py <= y1; py++) {
      for (int px = x0; px <= x1; px++) {
        int inside = 0;
        for (int sy = 0; sy < samples; sy++) {
          double v = (py + (sy + 0.5) / samples - centreY) / size;
          for (int sx = 0; sx < samples; sx++) {
            double u = (px + (sx + 0.5) / samples - centreX) / size;
            if (shape.contains(u, v)) {
              inside++;
            }
          }
        }
        coverage[py * width + px] = inside * perSample;
      }
    }
    return coverage;
  }
}
