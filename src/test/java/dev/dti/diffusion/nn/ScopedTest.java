package dev.dti.diffusion.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.support.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScopedTest {

  @Test
  void aLayersIntermediatesAreFreedWhenItReturnsAndItsOutputWhenTheCallersScopeCloses() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray x = manager.ones(new Shape(4));
      NDArray out;
      try (NDScope caller = new NDScope()) {
        out = Scoped.call(() -> x.add(x).mul(x).exp());

        assertThat(manager.getManagedArrays()).containsExactlyInAnyOrder(x, out);
        assertThat(out.toFloatArray()).containsOnly((float) Math.exp(2));
      }
      assertThat(out.isReleased()).isTrue();
      assertThat(x.isReleased()).isFalse();
    }
  }

  @Test
  void aUNetForwardKeepsNoAttentionScoresOrBlockInternalsAlive() throws Exception {
    Path golden = Golden.dir("unet_sd15_tiny");
    try (NDManager weights = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(golden.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(golden, weights);
      try (NDManager step = weights.newSubManager();
          NDScope scope = new NDScope()) {
        NDArray sample = inputs.load(step, "sample");
        NDArray text = inputs.load(step, "encoder_hidden_states");
        int before = step.getManagedArrays().size();

        unet.forward(sample, inputs.load(step, "timestep"), text);

        // Left: the block outputs the UNet passes on (skips, hidden states), not what is inside
        // the blocks. Every attention probability tensor ([B, heads, T, S], 4-d with T = H·W)
        // is gone.
        var alive = step.getManagedArrays();
        long tokens = sample.getShape().get(2) * sample.getShape().get(3);
        assertThat(alive)
            .noneMatch(a -> a.getShape().dimension() == 4 && a.getShape().get(2) == tokens);
        // 72 here: skips, block outputs, concatenations; 1,340 before the layers were scoped.
        assertThat(alive.size() - before).isLessThan(100);
      }
    }
  }
}
