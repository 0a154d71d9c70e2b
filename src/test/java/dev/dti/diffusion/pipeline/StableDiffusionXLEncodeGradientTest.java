package dev.dti.diffusion.pipeline;

import static dev.dti.diffusion.pipeline.StableDiffusionModel.TEXT_ENCODER;
import static dev.dti.diffusion.pipeline.StableDiffusionModel.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.job.GradientLock;
import dev.dti.support.Golden;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link StableDiffusionModel#encode} on the SDXL folder is differentiable with respect to the
 * injected rows of each encoder: the concatenated hidden states reach both encoders' rows, the
 * pooled text_embeds only text_encoder_2's.
 */
class StableDiffusionXLEncodeGradientTest {

  private static final int PLACEHOLDER = 49408;

  @Test
  void hiddenStatesReachBothEncodersRowsAndTextEmbedsOnlyTheSecond() throws Exception {
    Path dir = Golden.dir("sdxl_pipeline_tiny");
    try (NDManager manager = NDManager.newBaseManager();
        SafetensorsFile reference = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
      StableDiffusionModel model = StableDiffusionModel.load(dir, manager);
      Map<String, NDArray> ids =
          Map.of(
              TEXT_ENCODER, reference.load(manager, "ti_input_ids"),
              TEXT_ENCODER_2, reference.load(manager, "ti_input_ids_2"));

      double[][] fromHidden = gradients(model, manager, reference, ids, true);
      double[][] fromPooled = gradients(model, manager, reference, ids, false);

      assertThat(norm(fromHidden[0])).isPositive();
      assertThat(norm(fromHidden[1])).isPositive();
      assertThat(fromPooled[0]).containsOnly(0.0);
      assertThat(norm(fromPooled[1])).isPositive();
    }
  }

  /** d(loss)/d(row) for [text_encoder row, text_encoder_2 row]. */
  private static double[][] gradients(
      StableDiffusionModel model,
      NDManager manager,
      SafetensorsFile reference,
      Map<String, NDArray> ids,
      boolean hiddenLoss)
      throws Exception {
    try (NDManager step = manager.newSubManager()) {
      NDArray clipL = reference.load(step, "ti_clip_l").reshape(16);
      NDArray clipG = reference.load(step, "ti_clip_g").reshape(24);
      clipL.setRequiresGradient(true);
      clipG.setRequiresGradient(true);
      try (GradientLock.Held held = GradientLock.jvmWide().acquire();
          GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        Conditioning c =
            model.encode(
                ids,
                Map.of(
                    TEXT_ENCODER, Map.of(PLACEHOLDER, clipL),
                    TEXT_ENCODER_2, Map.of(PLACEHOLDER, clipG)));
        NDArray loss = hiddenLoss ? c.hiddenStates().square().sum() : c.textEmbeds().square().sum();
        collector.backward(loss);
      }
      return new double[][] {
        toDouble(clipL.getGradient().toFloatArray()), toDouble(clipG.getGradient().toFloatArray())
      };
    }
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static double norm(double[] values) {
    return Math.sqrt(Arrays.stream(values).map(v -> v * v).sum());
  }
}
