package dev.dti.diffusion.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ConditioningTest {

  @Test
  void sdConditioningIsHiddenStatesOnlyAndBatchesUncondFirst() {
    try (NDManager manager = NDManager.newBaseManager()) {
      var uncond = Conditioning.of(manager.zeros(new Shape(1, 4, 8)));
      var cond = Conditioning.of(manager.ones(new Shape(1, 4, 8)));

      Conditioning batch = Conditioning.batch(uncond, cond);

      assertThat(cond.hasAddedConditions()).isFalse();
      assertThat(batch.hiddenStates().getShape()).isEqualTo(new Shape(2, 4, 8));
      assertThat(batch.hiddenStates().get(0).sum().getFloat()).isZero();
      assertThat(batch.hiddenStates().get(1).sum().getFloat()).isEqualTo(32f);
      assertThat(batch.textEmbeds()).isNull();
      assertThat(batch.timeIds()).isNull();
    }
  }

  @Test
  void pooledEmbeddingsAndTimeIdsBatchAlongsideTheHiddenStates() {
    try (NDManager manager = NDManager.newBaseManager()) {
      var half =
          new Conditioning(
              manager.zeros(new Shape(1, 4, 8)),
              manager.zeros(new Shape(1, 16)),
              manager.zeros(new Shape(1, 6)));

      Conditioning batch = Conditioning.batch(half, half);

      assertThat(half.hasAddedConditions()).isTrue();
      assertThat(batch.textEmbeds().getShape()).isEqualTo(new Shape(2, 16));
      assertThat(batch.timeIds().getShape()).isEqualTo(new Shape(2, 6));
      assertThatThrownBy(
              () -> Conditioning.batch(half, Conditioning.of(manager.zeros(new Shape(1, 4, 8)))))
          .hasMessage("both halves of a guidance batch need the same inputs");
    }
  }
}
