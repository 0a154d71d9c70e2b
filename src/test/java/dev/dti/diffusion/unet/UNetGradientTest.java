package dev.dti.diffusion.unet;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.support.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Textual inversion back-propagates through the frozen UNet to the text conditioning only. */
class UNetGradientTest {

  private static final Path GOLDEN = Golden.dir("unet_sd15_tiny");

  @Test
  void gradientReachesTheConditioningAndMatchesACentralDifferenceAlongIt() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      NDArray sample = inputs.load(manager, "sample");
      NDArray timestep = inputs.load(manager, "timestep");
      NDArray text = inputs.load(manager, "encoder_hidden_states");
      NDArray weights = manager.randomNormal(new Shape(2, 4, 16, 16));

      NDArray gradient = gradient(unet, sample, timestep, text, weights, false);

      double norm = gradient.norm().getFloat();
      assertThat(norm).isGreaterThan(1e-3);
      NDArray direction = gradient.div(gradient.norm());
      NDArray step = direction.mul(manager.create(0.01f));
      double plus = loss(unet, sample, timestep, text.add(step), weights);
      double minus = loss(unet, sample, timestep, text.sub(step), weights);
      double slope = (plus - minus) / 0.02;
      assertThat(slope).isCloseTo(norm, org.assertj.core.data.Percentage.withPercentage(1));
    }
  }

  @Test
  void aGarbageCollectionBetweenForwardAndBackwardLeavesTheGradientUnchanged() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      NDArray sample = inputs.load(manager, "sample");
      NDArray timestep = inputs.load(manager, "timestep");
      NDArray text = inputs.load(manager, "encoder_hidden_states");
      NDArray weights = manager.randomNormal(new Shape(2, 4, 16, 16));

      NDArray quiet = gradient(unet, sample, timestep, text, weights, false);
      NDArray collected = gradient(unet, sample, timestep, text, weights, true);

      assertThat(collected.sub(quiet).abs().max().getFloat()).isEqualTo(0f);
    }
  }

  @Test
  void noUNetWeightRequiresOrReceivesAGradient() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var inputs = SafetensorsFile.open(GOLDEN.resolve("inputs.safetensors"))) {
      UNet2DConditionModel unet = UNet2DConditionModel.load(GOLDEN, manager);
      NDArray text = inputs.load(manager, "encoder_hidden_states");

      gradient(
          unet,
          inputs.load(manager, "sample"),
          inputs.load(manager, "timestep"),
          text,
          manager.ones(new Shape(2, 4, 16, 16)),
          false);

      assertThat(unet.parameters()).hasSize(494);
      assertThat(unet.parameters().values()).noneMatch(NDArray::hasGradient);
    }
  }

  /** d/d(text) of Σ weights · unet(sample, t, text), with only text requiring a gradient. */
  private static NDArray gradient(
      UNet2DConditionModel unet,
      NDArray sample,
      NDArray timestep,
      NDArray text,
      NDArray weights,
      boolean collectGarbage) {
    NDArray input = text.duplicate();
    input.setRequiresGradient(true);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray loss = unet.forward(sample, timestep, input).mul(weights).sum();
      if (collectGarbage) {
        for (int i = 0; i < 3; i++) {
          System.gc();
        }
      }
      collector.backward(loss);
    }
    return input.getGradient().duplicate();
  }

  private static double loss(
      UNet2DConditionModel unet, NDArray sample, NDArray timestep, NDArray text, NDArray weights) {
    return unet.forward(sample, timestep, text)
        .mul(weights)
        .sum()
        .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
        .getDouble();
  }
}
