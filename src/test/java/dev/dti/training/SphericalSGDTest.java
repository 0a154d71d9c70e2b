package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dti.embedding.Rows;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SphericalSGDTest {

  private static final double M = 0.387; // CLIP ViT-L's mean vocabulary norm

  @Test
  void aGradientAlongTheRowItselfIsProjectedAwayAndLeavesTheRowUnchanged() {
    float[][] v = {{0, 1, 0}};
    float[][] grad = {{0, 5, 0}};
    var sgd = new SphericalSGD(0.1, 0.0, new float[][] {{0, 1, 0}});

    sgd.step(v, grad);

    assertThat(v[0]).containsExactly(0f, 1f, 0f);
  }

  @Test
  void eachStepTurnsTheRowByExactlyArctanOfTheLearningRate() {
    float[][] v = {{1, 0, 0}};
    float[][] grad = {{0.3f, -2f, 0.5f}}; // tangent part is (0, -2, 0.5)
    double lr = 0.05;
    var sgd = new SphericalSGD(lr, 0.0, new float[][] {{1, 0, 0}});

    sgd.step(v, grad);

    assertThat(Rows.dot(v[0], new float[] {1, 0, 0}))
        .isCloseTo(1 / Math.sqrt(1 + lr * lr), within(1e-7));
    // and it moved against the tangent gradient
    assertThat(v[0][1]).isPositive();
    assertThat(v[0][2]).isNegative();
  }

  @Test
  void theEmbeddingNormStaysExactlyMAtEveryStep() {
    var random = new SplittableRandom(7);
    float[] init = randomRow(random, 768);
    float[][] v = {Rows.normalized(init), Rows.normalized(randomRow(random, 768))};
    var sgd = new SphericalSGD(0.01, 1e-4, new float[][] {v[0].clone(), v[1].clone()});

    for (int step = 0; step < 400; step++) {
      float[][] grads = {randomRow(random, 768), Rows.scaled(randomRow(random, 768), 1e3)};
      sgd.step(v, grads);
      for (float[] row : v) {
        assertThat(Rows.norm(Rows.scaled(row, M))).isCloseTo(M, within(1e-6));
      }
    }
    assertThat(sgd.steps()).isEqualTo(400);
  }

  @Test
  void withoutALossGradientThePriorPullsTheRowTowardsTheInitializerDirection() {
    float[] mu = Rows.normalized(new float[] {1, 1, 0, 0});
    float[][] v = {Rows.normalized(new float[] {0, 1, 1, 0})};
    var sgd = new SphericalSGD(0.05, 1e-4, new float[][] {mu});
    double before = Rows.dot(v[0], mu);

    for (int step = 0; step < 5; step++) {
      sgd.step(v, new float[][] {{0, 0, 0, 0}});
    }

    assertThat(Rows.dot(v[0], mu)).isGreaterThan(before);
  }

  @Test
  void stepsDescendALinearLoss() {
    float[] c = {0.2f, -0.7f, 0.1f, 0.4f}; // L(v) = c·v, minimised at v = −c/‖c‖
    float[][] v = {Rows.normalized(new float[] {1, 0, 0, 0})};
    var sgd = new SphericalSGD(0.05, 0.0, new float[][] {v[0].clone()});

    for (int step = 0; step < 200; step++) {
      sgd.step(v, new float[][] {c.clone()});
    }

    assertThat(Rows.dot(v[0], c) / Rows.norm(c)).isCloseTo(-1.0, within(2e-3));
  }

  @Test
  void twoGroupsOfDifferentWidthsStayEachAtItsOwnNormAndEachMovesTowardsItsOwnPrior() {
    double m1 = 0.387; // CLIP ViT-L (768)
    double m2 = 0.532; // an encoder of width 1280 with another vocabulary norm
    var random = new SplittableRandom(13);
    float[] mu1 = Rows.normalized(randomRow(random, 768));
    float[] mu2 = Rows.normalized(randomRow(random, 1280));
    float[][] v = {
      Rows.normalized(randomRow(random, 768)), Rows.normalized(randomRow(random, 1280))
    };
    double[] before = {Rows.dot(v[0], mu1), Rows.dot(v[1], mu2)};
    var sgd = new SphericalSGD(0.01, 1.0, new float[][] {mu1, mu2});

    for (int step = 0; step < 50; step++) {
      sgd.step(v, new float[][] {new float[768], new float[1280]});
      assertThat(v[0]).hasSize(768);
      assertThat(v[1]).hasSize(1280);
      assertThat(Rows.norm(Rows.scaled(v[0], m1))).isCloseTo(m1, within(1e-6 * m1));
      assertThat(Rows.norm(Rows.scaled(v[1], m2))).isCloseTo(m2, within(1e-6 * m2));
    }

    assertThat(Rows.dot(v[0], mu1)).isGreaterThan(before[0] + 0.1);
    assertThat(Rows.dot(v[1], mu2)).isGreaterThan(before[1] + 0.1);
  }

  static float[] randomRow(SplittableRandom random, int d) {
    float[] row = new float[d];
    for (int i = 0; i < d; i++) {
      row[i] = (float) (random.nextDouble() * 2 - 1);
    }
    return row;
  }
}
