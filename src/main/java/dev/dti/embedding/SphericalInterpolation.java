package dev.dti.embedding;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The sphere operations on learned embeddings: putting rows onto the sphere of radius m ({@link
 * #ontoSphere}) and interpolating on it, row by row (row k of one concept with row k of the
 * others). A row is a direction times a magnitude, and the two are interpolated separately:
 *
 * <pre>
 *   two rows a, b at t ∈ [0, 1]:   û = a/|a|, v̂ = b/|b|, θ = arccos(û·v̂)
 *     direction = sin((1−t)θ)/sin θ · û + sin(tθ)/sin θ · v̂          (slerp)
 *               = normalize((1−t)û + t v̂)            when θ < 1e-4   (nlerp: slerp's limit)
 *   several rows with weights w (Σw = 1):
 *     direction = the weighted Karcher mean: argmin_x Σ wᵢ arccos(x·ûᵢ)², started at
 *                 normalize(Σ wᵢ ûᵢ) and iterated x ← exp_x(Σ wᵢ log_x(ûᵢ)); for two rows it
 *                 equals slerp at t = w₂
 *   magnitude = m                       for DTI (every DTI row has the vocabulary's mean norm m)
 *             = Σ wᵢ |rᵢ|  ((1−t)|a| + t|b|)   otherwise (TI rows have free norms)
 * </pre>
 *
 * An SDXL embedding has rows for two text encoders, each with its own m; {@link
 * #interpolateEncoders} interpolates encoder by encoder, each with its own magnitude.
 *
 * <p>A weight vector with a single non-zero weight (t = 0 or t = 1) returns that row exactly, bit
 * for bit. Opposite rows (θ within 1e-6 of π) have no unique geodesic and are refused.
 */
public final class SphericalInterpolation {

  /** Below this angle (radians) slerp falls back to the normalized lerp. */
  static final double NLERP_BELOW = 1e-4;

  private static final double OPPOSITE_WITHIN = 1e-6;
  private static final int KARCHER_ITERATIONS = 100;
  private static final double KARCHER_TOLERANCE = 1e-12;

  private SphericalInterpolation() {}

  /**
   * Every row rescaled to norm {@code m}, its direction kept: DTI's constraint put onto rows
   * learned without it (a TI embedding whose norm swamps the rest of the prompt).
   *
   * @throws IllegalArgumentException for a zero row, which has no direction
   */
  public static float[][] ontoSphere(float[][] rows, double m) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = Rows.scaled(Rows.normalized(rows[i]), m);
    }
    return out;
  }

  /** Interpolates row a (t = 0) to row b (t = 1); {@code fixedNorm} is m for DTI, else empty. */
  public static float[] slerp(float[] a, float[] b, double t, OptionalDouble fixedNorm) {
    return weightedRow(List.of(a, b), new double[] {1 - t, t}, fixedNorm);
  }

  /**
   * The weighted spherical mean of whole embeddings (each n × d), row by row.
   *
   * @param weights one per embedding, ≥ 0 with a positive sum (normalized here)
   */
  public static float[][] interpolate(
      List<float[][]> embeddings, double[] weights, OptionalDouble fixedNorm) {
    int vectors = embeddings.getFirst().length;
    for (float[][] embedding : embeddings) {
      if (embedding.length != vectors) {
        throw new IllegalArgumentException("embeddings have different numbers of vectors");
      }
    }
    float[][] result = new float[vectors][];
    for (int k = 0; k < vectors; k++) {
      final int row = k;
      List<float[]> rows = embeddings.stream().map(e -> e[row]).toList();
      try {
        result[k] = weightedRow(rows, weights, fixedNorm);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("vector " + k + ": " + e.getMessage(), e);
      }
    }
    return result;
  }

  /**
   * The weighted spherical mean of whole embeddings, text encoder by text encoder: for SDXL the
   * {@code text_encoder} rows with each other and the {@code text_encoder_2} rows with each other.
   * With {@code fixedNorm} (DTI) each encoder's rows get that encoder's m (the first embedding's,
   * which all embeddings of one base model share); otherwise the weighted mean of their norms.
   *
   * @param weights one per embedding, ≥ 0 with a positive sum (normalized here)
   * @return the rows per text encoder, in the embeddings' encoder order
   * @throws IllegalArgumentException when the embeddings have rows for different text encoders (an
   *     SD 1.x/2.x embedding with an SDXL one), or as {@link #interpolate}, the message prefixed
   *     with the encoder
   */
  public static Map<String, float[][]> interpolateEncoders(
      List<Embedding> embeddings, double[] weights, boolean fixedNorm) {
    var encoders = embeddings.getFirst().encoders().keySet();
    for (Embedding embedding : embeddings) {
      if (!embedding.encoders().keySet().equals(encoders)) {
        throw new IllegalArgumentException(
            "cannot interpolate an embedding with rows for "
                + encoders
                + " with one with rows for "
                + embedding.encoders().keySet()
                + ": an SD 1.x/2.x concept (one text encoder) and an SDXL concept (two) do not"
                + " share a sphere");
      }
    }
    Map<String, float[][]> result = new LinkedHashMap<>();
    for (String encoder : encoders) {
      OptionalDouble m =
          fixedNorm
              ? OptionalDouble.of(embeddings.getFirst().encoder(encoder).normM())
              : OptionalDouble.empty();
      List<float[][]> rows = embeddings.stream().map(e -> e.rows(encoder)).toList();
      try {
        result.put(encoder, interpolate(rows, weights, m));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            (encoders.size() == 1 ? "" : encoder + " ") + e.getMessage(), e);
      }
    }
    return result;
  }

  /** The weighted spherical mean of single rows, as described on the class. */
  public static float[] weightedRow(
      List<float[]> rows, double[] weights, OptionalDouble fixedNorm) {
    if (rows.size() != weights.length || rows.isEmpty()) {
      throw new IllegalArgumentException("need one weight per row");
    }
    int dim = rows.getFirst().length;
    double sum = 0;
    int nonZero = 0;
    int last = -1;
    for (int i = 0; i < weights.length; i++) {
      if (!(weights[i] >= 0) || !Double.isFinite(weights[i])) {
        throw new IllegalArgumentException("weights must be finite and not negative");
      }
      if (rows.get(i).length != dim) {
        throw new IllegalArgumentException("rows have different dimensions");
      }
      sum += weights[i];
      if (weights[i] > 0) {
        nonZero++;
        last = i;
      }
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("the weights sum to zero");
    }
    if (nonZero == 1) {
      return rows.get(last).clone();
    }
    double[] w = new double[weights.length];
    double[][] directions = new double[rows.size()][];
    double magnitude = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = weights[i] / sum;
      double norm = Rows.norm(rows.get(i));
      if (norm == 0) {
        throw new IllegalArgumentException("a row is zero and has no direction");
      }
      directions[i] = scaled(rows.get(i), 1 / norm);
      magnitude += w[i] * norm;
    }
    double[] direction =
        directions.length == 2
            ? slerpUnit(directions[0], directions[1], w[1])
            : karcher(directions, w);
    double scale = fixedNorm.isPresent() ? fixedNorm.getAsDouble() : magnitude;
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) (direction[i] * scale);
    }
    return out;
  }

  /** Slerp of unit vectors; nlerp below {@link #NLERP_BELOW}. */
  static double[] slerpUnit(double[] u, double[] v, double t) {
    double theta = angle(u, v);
    if (theta > Math.PI - OPPOSITE_WITHIN) {
      throw new IllegalArgumentException(
          "the rows point in opposite directions, so no unique great circle joins them");
    }
    double[] out = new double[u.length];
    if (theta < NLERP_BELOW) {
      for (int i = 0; i < u.length; i++) {
        out[i] = (1 - t) * u[i] + t * v[i];
      }
      return normalized(out);
    }
    double sin = Math.sin(theta);
    double cu = Math.sin((1 - t) * theta) / sin;
    double cv = Math.sin(t * theta) / sin;
    for (int i = 0; i < u.length; i++) {
      out[i] = cu * u[i] + cv * v[i];
    }
    return normalized(out); // removes rounding drift; |out| is 1 up to it
  }

  /** Weighted Karcher (Fréchet) mean of unit vectors by Riemannian gradient descent. */
  static double[] karcher(double[][] units, double[] w) {
    int dim = units[0].length;
    double[] x = new double[dim];
    for (int i = 0; i < units.length; i++) {
      for (int j = 0; j < dim; j++) {
        x[j] += w[i] * units[i][j];
      }
    }
    if (norm(x) < 1e-12) {
      throw new IllegalArgumentException(
          "the weighted directions cancel out, so their spherical mean is not unique");
    }
    x = normalized(x);
    for (int iteration = 0; iteration < KARCHER_ITERATIONS; iteration++) {
      double[] gradient = new double[dim];
      for (int i = 0; i < units.length; i++) {
        double cos = Math.max(-1, Math.min(1, dot(x, units[i])));
        double theta = Math.acos(cos);
        if (theta > Math.PI - OPPOSITE_WITHIN) {
          throw new IllegalArgumentException(
              "a row points opposite to the mean, so the mean is not unique");
        }
        // log_x(u) = θ / sin θ · (u − cos θ · x); its limit for θ → 0 is u − x.
        double factor = theta < 1e-8 ? 1 : theta / Math.sin(theta);
        for (int j = 0; j < dim; j++) {
          gradient[j] += w[i] * factor * (units[i][j] - cos * x[j]);
        }
      }
      double length = norm(gradient);
      if (length < KARCHER_TOLERANCE) {
        break;
      }
      double cos = Math.cos(length);
      double sin = Math.sin(length) / length;
      for (int j = 0; j < dim; j++) {
        x[j] = cos * x[j] + sin * gradient[j];
      }
      x = normalized(x);
    }
    return x;
  }

  static double angle(double[] u, double[] v) {
    return Math.acos(Math.max(-1, Math.min(1, dot(u, v))));
  }

  private static double norm(double[] row) {
    return Math.sqrt(dot(row, row));
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static double[] scaled(float[] row, double factor) {
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      out[i] = row[i] * factor;
    }
    return out;
  }

  private static double[] normalized(double[] v) {
    double norm = norm(v);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / norm;
    }
    return out;
  }
}
