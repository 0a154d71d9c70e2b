package dev.dti.toyworld;

import dev.dti.toyworld.Judgement.ObjectReading;
import dev.dti.toyworld.Judgement.Reading;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Reads background, object colour and object shape from a toy-world picture by measurement, with no
 * learned parts, so that it can score pictures drawn by a weak diffusion model.
 *
 * <ol>
 *   <li>The picture is resized to 32×32 and smoothed with a 3×3 binomial kernel, which divides
 *       pixel noise by about 2.7.
 *   <li>Background: the per-channel median of the 2-pixel frame, snapped to the nearest background
 *       colour.
 *   <li>Object (per region: the whole picture, or each half for two-object scenes): pixels whose
 *       smoothed colour is far from the background (at least {@value #MIN_CONTRAST} and at least
 *       {@value #THRESHOLD_SHARE} of the farthest pixel); the largest 8-connected component is the
 *       object. Fewer than {@value #MIN_PIXELS} pixels means no object.
 *   <li>Colour: the per-channel median of the raw pixels in the object's core (the pixels at least
 *       {@value #CORE_SHARE} as far from the background as its farthest), snapped to the nearest
 *       object colour.
 *   <li>Shape: each pixel's opacity (its smoothed colour projected on the line from background to
 *       object colour) gives the object's centroid and spread; every shape's template is drawn at
 *       the centre and size that reproduce those moments (and at ±6% size), smoothed alike, and
 *       compared to the opacity map by soft intersection over union; the best template wins.
 * </ol>
 *
 * <p>Confidences: for background and colour, 1 − d₁/d₂ with d₁, d₂ the distances to the nearest and
 * second-nearest palette entries (1 on a palette colour, 0 halfway between two); for shape, the
 * best template's intersection over union (1 for a perfect fit).
 */
public final class Judge {

  /** The value of a reading when the region holds no object. */
  public static final String NONE = "none";

  static final double MIN_CONTRAST = 45;
  static final double THRESHOLD_SHARE = 0.45;
  static final double CORE_SHARE = 0.75;
  static final int MIN_PIXELS = 4;

  private static final int SIZE = ToyWorld.IMAGE_SIZE;
  private static final int FRAME = 2;
  private static final int TEMPLATE_SAMPLES = 4;
  private static final double[] SIZE_STEPS = {0.94, 1.0, 1.06};

  /** Variance the [1, 2, 1]/4 kernel adds along each axis, in pixels². */
  private static final double SMOOTHING_VARIANCE = 0.5;

  private static final Map<Shape, UnitMoments> UNIT_MOMENTS = unitMoments();

  private Judge() {}

  /** Reads one object from the whole picture ({@link Layout#SINGLE}) or one per half. */
  public static Judgement judge(BufferedImage image, Layout layout) {
    float[][] raw = RgbPlanes.toPlanes(RgbPlanes.resized(image, SIZE));
    float[][] smooth = new float[3][];
    for (int c = 0; c < 3; c++) {
      smooth[c] = smooth(raw[c]);
    }
    float[] bg = frameMedian(raw);
    Reading background = snap(List.of(BackgroundColour.values()), bg);
    List<ObjectReading> objects =
        layout == Layout.SINGLE
            ? List.of(readObject(raw, smooth, bg, 0, SIZE))
            : List.of(
                readObject(raw, smooth, bg, 0, SIZE / 2),
                readObject(raw, smooth, bg, SIZE / 2, SIZE));
    return new Judgement(background, objects);
  }

  /** Reads the object whose pixels lie in the columns [x0, x1). */
  private static ObjectReading readObject(
      float[][] raw, float[][] smooth, float[] bg, int x0, int x1) {
    float[] distance = new float[SIZE * SIZE];
    float farthest = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = x0; x < x1; x++) {
        int p = y * SIZE + x;
        distance[p] = distance(smooth, p, bg);
        farthest = Math.max(farthest, distance[p]);
      }
    }
    if (farthest < MIN_CONTRAST) {
      return ObjectReading.NOTHING;
    }
    double threshold = Math.max(MIN_CONTRAST, THRESHOLD_SHARE * farthest);
    int[] component = largestComponent(distance, threshold, x0, x1);
    if (component.length < MIN_PIXELS) {
      return ObjectReading.NOTHING;
    }

    float[] colour = coreMedian(raw, distance, component);
    Reading colourReading = snap(List.of(ObjectColour.values()), colour);
    float[] opacity = opacity(smooth, bg, colour, dilate(component, 2, x0, x1));
    Moments moments = Moments.of(opacity);
    if (moments.mass() < MIN_PIXELS * 0.5) {
      return ObjectReading.NOTHING;
    }
    return new ObjectReading(bestShape(opacity, moments, x0, x1), colourReading);
  }

  private static Reading bestShape(float[] opacity, Moments moments, int x0, int x1) {
    Shape best = null;
    double bestScore = -1;
    for (Shape shape : Shape.values()) {
      UnitMoments unit = UNIT_MOMENTS.get(shape);
      double fitted = Math.sqrt(moments.radialVariance() / unit.radialVariance());
      for (double step : SIZE_STEPS) {
        double size = fitted * step;
        double cx = moments.meanX() - size * unit.meanX();
        double cy = moments.meanY() - size * unit.meanY();
        float[] template = smooth(Coverage.of(shape, cx, cy, size, SIZE, SIZE, TEMPLATE_SAMPLES));
        double score = softIntersectionOverUnion(opacity, template, x0, x1);
        if (score > bestScore) {
          bestScore = score;
          best = shape;
        }
      }
    }
    return new Reading(best.word(), bestScore);
  }

  private static double softIntersectionOverUnion(float[] a, float[] b, int x0, int x1) {
    double intersection = 0;
    double union = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = x0; x < x1; x++) {
        int p = y * SIZE + x;
        intersection += Math.min(a[p], b[p]);
        union += Math.max(a[p], b[p]);
      }
    }
    return union == 0 ? 0 : intersection / union;
  }

  /**
   * Opacity of each pixel in the mask: the smoothed colour's position on the segment from the
   * background (0) to the object colour (1); zero outside the mask, so stray blobs do not count.
   */
  private static float[] opacity(float[][] smooth, float[] bg, float[] colour, boolean[] mask) {
    float[] direction = new float[3];
    double norm2 = 0;
    for (int c = 0; c < 3; c++) {
      direction[c] = colour[c] - bg[c];
      norm2 += direction[c] * direction[c];
    }
    norm2 = Math.max(norm2, 1);
    float[] opacity = new float[SIZE * SIZE];
    for (int p = 0; p < opacity.length; p++) {
      if (mask[p]) {
        double dot = 0;
        for (int c = 0; c < 3; c++) {
          dot += (smooth[c][p] - bg[c]) * direction[c];
        }
        opacity[p] = (float) Math.clamp(dot / norm2, 0, 1);
      }
    }
    return opacity;
  }

  private static float[] coreMedian(float[][] raw, float[] distance, int[] component) {
    float top = 0;
    for (int p : component) {
      top = Math.max(top, distance[p]);
    }
    float cut = (float) (CORE_SHARE * top);
    int[] core = Arrays.stream(component).filter(p -> distance[p] >= cut).toArray();
    float[] colour = new float[3];
    for (int c = 0; c < 3; c++) {
      float[] values = new float[core.length];
      for (int i = 0; i < core.length; i++) {
        values[i] = raw[c][core[i]];
      }
      colour[c] = median(values);
    }
    return colour;
  }

  /** Pixels (row-major indices) of the largest 8-connected set above the threshold, by weight. */
  private static int[] largestComponent(float[] distance, double threshold, int x0, int x1) {
    int[] label = new int[SIZE * SIZE];
    int[] best = new int[0];
    double bestWeight = 0;
    int next = 0;
    var queue = new ArrayDeque<Integer>();
    for (int y = 0; y < SIZE; y++) {
      for (int x = x0; x < x1; x++) {
        int start = y * SIZE + x;
        if (label[start] != 0 || distance[start] <= threshold) {
          continue;
        }
        next++;
        label[start] = next;
        queue.add(start);
        int[] members = new int[SIZE * SIZE];
        int count = 0;
        double weight = 0;
        while (!queue.isEmpty()) {
          int p = queue.poll();
          members[count++] = p;
          weight += distance[p];
          int px = p % SIZE;
          int py = p / SIZE;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int qx = px + dx;
              int qy = py + dy;
              if (qx >= x0 && qx < x1 && qy >= 0 && qy < SIZE) {
                int q = qy * SIZE + qx;
                if (label[q] == 0 && distance[q] > threshold) {
                  label[q] = next;
                  queue.add(q);
                }
              }
            }
          }
        }
        if (weight > bestWeight) {
          bestWeight = weight;
          best = Arrays.copyOf(members, count);
        }
      }
    }
    return best;
  }

  private static boolean[] dilate(int[] pixels, int radius, int x0, int x1) {
    boolean[] mask = new boolean[SIZE * SIZE];
    for (int p : pixels) {
      int px = p % SIZE;
      int py = p / SIZE;
      for (int y = Math.max(0, py - radius); y <= Math.min(SIZE - 1, py + radius); y++) {
        for (int x = Math.max(x0, px - radius); x <= Math.min(x1 - 1, px + radius); x++) {
          mask[y * SIZE + x] = true;
        }
      }
    }
    return mask;
  }

  private static float[] frameMedian(float[][] raw) {
    int frameCount = SIZE * SIZE - (SIZE - 2 * FRAME) * (SIZE - 2 * FRAME);
    float[] colour = new float[3];
    for (int c = 0; c < 3; c++) {
      float[] values = new float[frameCount];
      int i = 0;
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          boolean inFrame = x < FRAME || y < FRAME || x >= SIZE - FRAME || y >= SIZE - FRAME;
          if (inFrame) {
            values[i++] = raw[c][y * SIZE + x];
          }
        }
      }
      colour[c] = median(values);
    }
    return colour;
  }

  private static <C extends PaletteColour> Reading snap(List<C> palette, float[] rgb) {
    List<C> nearest = PaletteColour.byDistance(palette, rgb[0], rgb[1], rgb[2]);
    double d1 = nearest.get(0).distanceTo(rgb[0], rgb[1], rgb[2]);
    double d2 = nearest.get(1).distanceTo(rgb[0], rgb[1], rgb[2]);
    double confidence = d2 == 0 ? 0 : 1 - d1 / d2;
    return new Reading(nearest.get(0).word(), confidence);
  }

  private static float distance(float[][] rgb, int p, float[] bg) {
    float dr = rgb[0][p] - bg[0];
    float dg = rgb[1][p] - bg[1];
    float db = rgb[2][p] - bg[2];
    return (float) Math.sqrt(dr * dr + dg * dg + db * db);
  }

  private static float median(float[] values) {
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The plane convolved with [1, 2, 1]/4 along each axis, edges repeated. */
  static float[] smooth(float[] plane) {
    float[] rows = new float[plane.length];
    float[] out = new float[plane.length];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        int left = Math.max(0, x - 1);
        int right = Math.min(SIZE - 1, x + 1);
        rows[y * SIZE + x] =
            (plane[y * SIZE + left] + 2 * plane[y * SIZE + x] + plane[y * SIZE + right]) / 4;
      }
    }
    for (int y = 0; y < SIZE; y++) {
      int up = Math.max(0, y - 1);
      int down = Math.min(SIZE - 1, y + 1);
      for (int x = 0; x < SIZE; x++) {
        out[y * SIZE + x] =
            (rows[up * SIZE + x] + 2 * rows[y * SIZE + x] + rows[down * SIZE + x]) / 4;
      }
    }
    return out;
  }

  /** Opacity-weighted centroid and radial variance (pixels²), corrected for the smoothing. */
  private record Moments(double mass, double meanX, double meanY, double radialVariance) {

    static Moments of(float[] opacity) {
      double mass = 0;
      double sx = 0;
      double sy = 0;
      for (int p = 0; p < opacity.length; p++) {
        mass += opacity[p];
        sx += opacity[p] * (p % SIZE + 0.5);
        sy += opacity[p] * (p / SIZE + 0.5);
      }
      if (mass == 0) {
        return new Moments(0, 0, 0, 0);
      }
      double mx = sx / mass;
      double my = sy / mass;
      double spread = 0;
      for (int p = 0; p < opacity.length; p++) {
        double dx = p % SIZE + 0.5 - mx;
        double dy = p / SIZE + 0.5 - my;
        spread += opacity[p] * (dx * dx + dy * dy);
      }
      double variance = Math.max(spread / mass - 2 * SMOOTHING_VARIANCE, 0.25);
      return new Moments(mass, mx, my, variance);
    }
  }

  /** A shape's centroid and radial variance in its unit box, where the size is 1. */
  private record UnitMoments(double meanX, double meanY, double radialVariance) {}

  private static Map<Shape, UnitMoments> unitMoments() {
    int n = 400;
    Map<Shape, UnitMoments> moments = new EnumMap<>(Shape.class);
    for (Shape shape : Shape.values()) {
      double count = 0;
      double sx = 0;
      double sy = 0;
      double sxx = 0;
      for (int j = 0; j < n; j++) {
        double v = -1 + (2 * j + 1.0) / n;
        for (int i = 0; i < n; i++) {
          double u = -1 + (2 * i + 1.0) / n;
          if (shape.contains(u, v)) {
            count++;
            sx += u;
            sy += v;
            sxx += u * u + v * v;
          }
        }
      }
      double mx = sx / count;
      double my = sy / count;
      moments.put(shape, new UnitMoments(mx, my, sxx / count - mx * mx - my * my));
    }
    return moments;
  }
}
