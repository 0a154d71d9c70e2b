package dev.dti.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SphericalInterpolationTest {

  private static final double M = 0.39;
  private static final OptionalDouble DTI = OptionalDouble.of(M);
  private static final OptionalDouble TI = OptionalDouble.empty();

  private static float[] randomRow(long seed, int dim, double norm) {
    Random random = new Random(seed);
    float[] row = new float[dim];
    double sum = 0;
    for (int i = 0; i < dim; i++) {
      row[i] = (float) random.nextGaussian();
      sum += row[i] * row[i];
    }
    double scale = norm / Math.sqrt(sum);
    for (int i = 0; i < dim; i++) {
      row[i] = (float) (row[i] * scale);
    }
    return row;
  }

  private static double angle(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return Math.acos(Math.max(-1, Math.min(1, dot / Rows.norm(a) / Rows.norm(b))));
  }

  @Test
  void dtiRowsKeepTheNormMAtEveryT() {
    float[] a = randomRow(1, 768, M);
    float[] b = randomRow(2, 768, M);

    for (double t = 0; t <= 1.0001; t += 0.05) {
      float[] row = SphericalInterpolation.slerp(a, b, Math.min(t, 1), DTI);
      assertThat(Rows.norm(row)).isCloseTo(M, within(1e-6));
    }
  }

  @Test
  void theMidpointIsEquallyFarFromBothEndsAndOnTheGreatCircle() {
    float[] a = randomRow(3, 64, M);
    float[] b = randomRow(4, 64, M);

    float[] mid = SphericalInterpolation.slerp(a, b, 0.5, DTI);

    assertThat(angle(mid, a)).isCloseTo(angle(mid, b), within(1e-6));
    assertThat(angle(mid, a) + angle(mid, b)).isCloseTo(angle(a, b), within(1e-6));
  }

  @Test
  void anglesGrowLinearlyWithT() {
    float[] a = randomRow(5, 32, M);
    float[] b = randomRow(6, 32, M);
    double total = angle(a, b);

    float[] quarter = SphericalInterpolation.slerp(a, b, 0.25, DTI);

    assertThat(angle(a, quarter)).isCloseTo(0.25 * total, within(1e-5));
  }

  @Test
  void theEndpointsAreTheConceptsExactly() {
    float[] a = randomRow(7, 32, M);
    float[] b = randomRow(8, 32, M * 1.01);

    assertThat(SphericalInterpolation.slerp(a, b, 0, DTI)).containsExactly(a);
    assertThat(SphericalInterpolation.slerp(a, b, 1, DTI)).containsExactly(b);
    assertThat(SphericalInterpolation.slerp(a, b, 0, TI)).containsExactly(a);
    assertThat(SphericalInterpolation.slerp(a, b, 1, TI)).containsExactly(b);
  }

  @Test
  void tinyAnglesFallBackToNormalizedLerpWithoutNaN() {
    float[] a = randomRow(9, 16, M);
    float[] b = a.clone();
    b[0] = Math.nextUp(b[0]); // angle far below 1e-4

    float[] mid = SphericalInterpolation.slerp(a, b, 0.5, DTI);
    float[] same = SphericalInterpolation.slerp(a, a, 0.3, DTI);

    for (int i = 0; i < a.length; i++) {
      assertThat(mid[i]).isCloseTo(a[i], within(1e-6f));
      assertThat(same[i]).isCloseTo(a[i], within(1e-6f));
    }
    assertThat(Rows.norm(mid)).isCloseTo(M, within(1e-6));
  }

  @Test
  void tiRowsInterpolateTheirNormLinearlyAndTheirDirectionBySlerp() {
    float[] a = randomRow(10, 32, 0.3);
    float[] b = randomRow(11, 32, 1.5);

    float[] quarter = SphericalInterpolation.slerp(a, b, 0.25, TI);
    float[] dtiQuarter = SphericalInterpolation.slerp(a, b, 0.25, DTI);

    assertThat(Rows.norm(quarter)).isCloseTo(0.75 * 0.3 + 0.25 * 1.5, within(1e-6));
    assertThat(angle(quarter, a)).isCloseTo(0.25 * angle(a, b), within(1e-5));
    assertThat(angle(quarter, dtiQuarter)).isLessThan(1e-3); // same direction, other magnitude
  }

  @Test
  void theKarcherMeanOfTwoRowsIsTheSlerp() {
    float[] a = randomRow(12, 32, M);
    float[] b = randomRow(13, 32, M);
    float[] c = randomRow(14, 32, M);

    float[] withZeroThird =
        SphericalInterpolation.weightedRow(List.of(a, b, c), new double[] {0.7, 0.3, 0}, DTI);
    float[] slerp = SphericalInterpolation.slerp(a, b, 0.3, DTI);

    for (int i = 0; i < a.length; i++) {
      assertThat(withZeroThird[i]).isCloseTo(slerp[i], within(1e-6f));
    }
  }

  @Test
  void theWeightedMeanOfThreeRowsBalancesTheTangentVectors() {
    float[] a = randomRow(15, 8, M);
    float[] b = randomRow(16, 8, M);
    float[] c = randomRow(17, 8, M);
    double[] w = {0.5, 0.3, 0.2};

    float[] mean = SphericalInterpolation.weightedRow(List.of(a, b, c), w, DTI);

    // At the Karcher mean x, Σ wᵢ log_x(uᵢ) = 0.
    double[] x = new double[8];
    for (int j = 0; j < 8; j++) {
      x[j] = mean[j] / M;
    }
    double[] gradient = new double[8];
    float[][] rows = {a, b, c};
    for (int i = 0; i < 3; i++) {
      double n = Rows.norm(rows[i]);
      double cos = 0;
      for (int j = 0; j < 8; j++) {
        cos += x[j] * rows[i][j] / n;
      }
      double theta = Math.acos(cos);
      for (int j = 0; j < 8; j++) {
        gradient[j] += w[i] * theta / Math.sin(theta) * (rows[i][j] / n - cos * x[j]);
      }
    }
    for (double g : gradient) {
      assertThat(g).isCloseTo(0, within(1e-6));
    }
    assertThat(Rows.norm(mean)).isCloseTo(M, within(1e-6));
  }

  @Test
  void wholeEmbeddingsAreInterpolatedRowByRowAndMustHaveTheSameVectorCount() {
    float[][] first = {randomRow(18, 8, M), randomRow(19, 8, M)};
    float[][] second = {randomRow(20, 8, M), randomRow(21, 8, M)};

    float[][] mid =
        SphericalInterpolation.interpolate(List.of(first, second), new double[] {1, 1}, DTI);

    assertThat(mid[1]).containsExactly(SphericalInterpolation.slerp(first[1], second[1], 0.5, DTI));
    assertThatThrownBy(
            () ->
                SphericalInterpolation.interpolate(
                    List.of(first, new float[][] {first[0]}), new double[] {1, 1}, DTI))
        .hasMessageContaining("different numbers of vectors");
  }

  @Test
  void oppositeRowsAreRefused() {
    float[] a = randomRow(22, 8, M);
    float[] b = new float[8];
    for (int i = 0; i < 8; i++) {
      b[i] = -a[i];
    }

    assertThatThrownBy(() -> SphericalInterpolation.slerp(a, b, 0.5, DTI))
        .hasMessageContaining("opposite");
  }
}
