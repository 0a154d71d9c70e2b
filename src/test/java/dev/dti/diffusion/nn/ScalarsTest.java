package dev.dti.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

class ScalarsTest {

  @Test
  void constantFirstRequestedInsideAStepScopeOutlivesTheScope() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Scalars scalars = new Scalars(manager);
      NDArray inside;
      try (NDScope scope = new NDScope()) {
        inside = scalars.of(1.702f);
      }
      assertThat(inside.isReleased()).isFalse();
      assertThat(scalars.of(1.702f)).isSameAs(inside);
      assertThat(inside.getFloat()).isEqualTo(1.702f);
    }
  }
}
