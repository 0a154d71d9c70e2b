package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dti.embedding.Rows;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AdamWTest {

  @Test
  void theFirstStepDecaysThenMovesEachCoordinateByTheLearningRateAgainstItsGradientSign() {
    float[][] rows = {{1.0f, -2.0f}};
    var adam = new AdamW(0.1, 0.01);

    adam.step(rows, new float[][] {{0.5f, -3.0f}});

    assertThat(rows[0][0]).isCloseTo((float) (1.0 * (1 - 0.001) - 0.1), within(1e-6f));
    assertThat(rows[0][1]).isCloseTo((float) (-2.0 * (1 - 0.001) + 0.1), within(1e-6f));
  }

  @Test
  void textualInversionRowsGrowFarBeyondTheVocabularyNormWhileDtiRowsStayAtIt() {
    double m = 0.324;
    var random = new SplittableRandom(3);
    float[] init = Rows.scaled(Rows.normalized(SphericalSGDTest.randomRow(random, 64)), m);
    // A loss that keeps rewarding one direction, as a concept's denoising loss does early on.
    float[] pull = Rows.normalized(SphericalSGDTest.randomRow(random, 64));
    float[][] ti = {init.clone()};
    float[][] dti = {Rows.normalized(init)};
    var adam = new AdamW(5e-3 * 4, 1e-2);
    var sgd = new SphericalSGD(0.01, 1e-4, new float[][] {Rows.normalized(init)});

    for (int step = 0; step < 400; step++) {
      adam.step(ti, new float[][] {Rows.scaled(pull, -1)});
      sgd.step(dti, new float[][] {Rows.scaled(pull, -m)}); // ∂L/∂v = m·∂L/∂e
    }

    assertThat(Rows.norm(ti[0])).isGreaterThan(5 * m);
    assertThat(Rows.norm(Rows.scaled(dti[0], m))).isCloseTo(m, within(1e-6));
  }

  @Test
  void resumingFromAStateContinuesExactlyAsAnUninterruptedRun() {
    var random = new SplittableRandom(11);
    float[][][] grads = new float[20][][];
    for (int i = 0; i < grads.length; i++) {
      grads[i] = new float[][] {SphericalSGDTest.randomRow(random, 8)};
    }
    float[][] straight = {{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f}};
    float[][] resumed = {straight[0].clone()};
    var uninterrupted = new AdamW(0.01, 0.01);
    var first = new AdamW(0.01, 0.01);
    for (int i = 0; i < 20; i++) {
      uninterrupted.step(straight, grads[i]);
    }
    for (int i = 0; i < 10; i++) {
      first.step(resumed, grads[i]);
    }
    var second = new AdamW(0.01, 0.01);
    second.restore(first.state());
    for (int i = 10; i < 20; i++) {
      second.step(resumed, grads[i]);
    }

    assertThat(resumed[0]).containsExactly(straight[0]);
    assertThat(second.steps()).isEqualTo(20);
  }
}
