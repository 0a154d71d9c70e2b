package dev.dti.toyworld;

import java.util.Arrays;
import java.util.List;

/**
 * The shapes of the toy world, each drawn upright inside the unit box [-1, 1]² (x to the right, y
 * downwards) so that an object of size s spans exactly 2s pixels in both directions.
 *
 * <p>Named shapes appear in captions by their word. Unnamed shapes are the personalization
 * concepts: captions call them only "object", so the base model never learns a word for them.
 */
public enum Shape {
  CIRCLE("circle", true) {
    @Override
    boolean containsRaw(double x, double y) {
      return x * x + y * y <= 1;
    }
  },
  SQUARE("square", true) {
    @Override
    boolean containsRaw(double x, double y) {
      return Math.abs(x) <= 1 && Math.abs(y) <= 1;
    }
  },
  /** Isosceles, apex up, base along the bottom of the box. */
  TRIANGLE("triangle", true) {
    @Override
    boolean containsRaw(double x, double y) {
      return y <= 1 && Math.abs(x) <= (y + 1) / 2;
    }
  },
  /** A plus sign whose arms are 0.36 of the size wide on each side of the centre line. */
  CROSS("cross", true) {
    @Override
    boolean containsRaw(double x, double y) {
      double ax = Math.abs(x);
      double ay = Math.abs(y);
      return (ax <= CROSS_ARM && ay <= 1) || (ay <= CROSS_ARM && ax <= 1);
    }
  },
  /** Five points, one up; inner radius 0.45 of the outer (chunkier than the regular 0.38). */
  STAR("star", false) {
    @Override
    boolean containsRaw(double x, double y) {
      return insidePolygon(STAR_POLYGON, x, y);
    }
  },
  /** The classic sextic heart (x² + y² − 1)³ = x²y³, point down, stretched to the box. */
  HEART("heart", false) {
    @Override
    boolean containsRaw(double x, double y) {
      double hx = x * HEART_HALF_WIDTH;
      double hy = HEART_Y_MID - y * HEART_HALF_HEIGHT;
      double r = hx * hx + hy * hy - 1;
      return r * r * r - hx * hx * hy * hy * hy <= 0;
    }
  },
  /** An annulus whose hole has 0.55 of the outer radius. */
  RING("ring", false) {
    @Override
    boolean containsRaw(double x, double y) {
      double r2 = x * x + y * y;
      return r2 <= 1 && r2 >= RING_HOLE * RING_HOLE;
    }
  },
  DIAMOND("diamond", false) {
    @Override
    boolean containsRaw(double x, double y) {
      return Math.abs(x) + Math.abs(y) <= 1;
    }
  };

  static final double CROSS_ARM = 0.36;
  static final double RING_HOLE = 0.55;
  // The heart curve spans x in [-1.1390, 1.1390] and y in [-1, 1.2360] (y up); mapped onto [-1,
  // 1]².
  private static final double HEART_HALF_WIDTH = 1.1390;
  private static final double HEART_HALF_HEIGHT = 1.1180;
  private static final double HEART_Y_MID = 0.1180;
  private static final double[][] STAR_POLYGON = starPolygon(5, 0.45);

  private final String word;
  private final boolean named;

  Shape(String word, boolean named) {
    this.word = word;
    this.named = named;
  }

  /**
   * The lower-case name; for unnamed shapes it is used in file names and reports, never in
   * captions.
   */
  public String word() {
    return word;
  }

  /** Whether captions call the shape by its word (otherwise by "object"). */
  public boolean named() {
    return named;
  }

  /** Whether the point (x, y) of the unit box [-1, 1]² lies inside the shape. */
  public boolean contains(double x, double y) {
    return Math.abs(x) <= 1 && Math.abs(y) <= 1 && containsRaw(x, y);
  }

  abstract boolean containsRaw(double x, double y);

  public static List<Shape> namedShapes() {
    return Arrays.stream(values()).filter(Shape::named).toList();
  }

  public static List<Shape> unnamedShapes() {
    return Arrays.stream(values()).filter(s -> !s.named()).toList();
  }

  public static Shape byWord(String word) {
    return Words.lookup(values(), Shape::word, word, "shape");
  }

  /** Vertices of a star with the given points, scaled so its bounding box is [-1, 1]². */
  private static double[][] starPolygon(int points, double innerRatio) {
    int n = points * 2;
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      double radius = i % 2 == 0 ? 1 : innerRatio;
      double angle = -Math.PI / 2 + Math.PI * i / points;
      xs[i] = radius * Math.cos(angle);
      ys[i] = radius * Math.sin(angle);
    }
    double minX = Arrays.stream(xs).min().orElseThrow();
    double maxX = Arrays.stream(xs).max().orElseThrow();
    double minY = Arrays.stream(ys).min().orElseThrow();
    double maxY = Arrays.stream(ys).max().orElseThrow();
    for (int i = 0; i < n; i++) {
      xs[i] = 2 * (xs[i] - minX) / (maxX - minX) - 1;
      ys[i] = 2 * (ys[i] - minY) / (maxY - minY) - 1;
    }
    return new double[][] {xs, ys};
  }

  private static boolean insidePolygon(double[][] polygon, double x, double y) {
    double[] xs = polygon[0];
    double[] ys = polygon[1];
    boolean inside = false;
    for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      if ((ys[i] > y) != (ys[j] > y)
          && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
        inside = !inside;
      }
    }
    return inside;
  }
}
