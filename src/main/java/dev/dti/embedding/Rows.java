package dev.dti.embedding;

/** Small vector helpers for embedding rows. */
public final class Rows {

  private Rows() {}

  public static double norm(float[] row) {
    double sum = 0;
    for (float x : row) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  public static float[] normalized(float[] row) {
    double norm = norm(row);
    if (norm == 0) {
      throw new IllegalArgumentException("cannot normalize a zero row");
    }
    float[] out = new float[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = (float) (row[i] / norm);
    }
    return out;
  }

  public static float[] scaled(float[] row, double factor) {
    float[] out = new float[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = (float) (row[i] * factor);
    }
    return out;
  }

  public static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (double) a[i] * b[i];
    }
    return sum;
  }

  public static boolean allFinite(float[][] rows) {
    for (float[] row : rows) {
      for (float x : row) {
        if (!Float.isFinite(x)) {
          return false;
        }
      }
    }
    return true;
  }
}
