package dev.dti.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

class ScalarsScopeTest {

  @Test
  void aScalarFirstAskedForInsideAnNdScopeOutlivesTheScope() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Scalars scalars = new Scalars(manager);
      NDArray inside;
      try (NDScope scope = new NDScope()) {
        inside = scalars.of(0.125f);
      }

      assertThat(inside.isReleased()).isFalse();
      assertThat(scalars.of(0.125f).getFloat()).isEqualTo(0.125f);
    }
  }
}
