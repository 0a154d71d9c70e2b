package dev.dti.toyworld.training;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures a full training step (forward, backward with every weight trainable, AdamW update) of
 * the candidate sizes, for docs/benchmarks.md "Toy base model".
 */
public final class StepTimes {

  /** One measured configuration. */
  public record Row(
      String stage,
      String size,
      long parameters,
      int batch,
      double medianSeconds,
      double minSeconds) {

    public double imagesPerSecond() {
      return batch / medianSeconds;
    }
  }

  private StepTimes() {}

  /** Diffusion stage (text encoder + UNet) of {@code architecture}; {@code steps} timed steps. */
  public static Row diffusion(ToyModelArchitecture architecture, int batch, int steps) {
    String size =
        String.format(
            Locale.ROOT,
            "%s %s×%d (UNet %.2f M)",
            architecture.name(),
            architecture.unet().blockOutChannels(),
            architecture.unet().layersPerBlock(),
            unetWeights(architecture) / 1e6);
    return measure(architecture, batch, steps, "text encoder + UNet", size, false);
  }

  /** VAE stage; {@code steps} timed steps. */
  public static Row vae(ToyModelArchitecture architecture, int batch, int steps) {
    String size = "VAE " + architecture.vae().blockOutChannels();
    return measure(architecture, batch, steps, "VAE", size, true);
  }

  private static long unetWeights(ToyModelArchitecture architecture) {
    try (NDManager manager = NDManager.newBaseManager()) {
      return ToyModel.count(ToyModel.initialize(architecture, manager, 0).unet().parameters());
    }
  }

  private static Row measure(
      ToyModelArchitecture architecture,
      int batch,
      int steps,
      String stage,
      String size,
      boolean vaeStage) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ToyModel model = ToyModel.initialize(architecture, manager, 0);
      var weights = vaeStage ? model.vaeWeights() : model.diffusionWeights();
      ToyModel.requireGradients(weights, true);
      TrainingSteps training = new TrainingSteps(model, 0, batch, 1.0);
      WeightAdamW optimizer = new WeightAdamW(weights, manager, 0.01f, 1f);
      List<Double> seconds = new ArrayList<>();
      for (int step = 0; step < steps + 1; step++) {
        long start = System.nanoTime();
        if (vaeStage) {
          training.vaeStep(manager, step);
        } else {
          training.diffusionStep(manager, step);
        }
        optimizer.step(1e-4);
        if (step > 0) { // the first step includes one-time allocation
          seconds.add((System.nanoTime() - start) / 1e9);
        }
      }
      List<Double> sorted = new ArrayList<>(seconds);
      sorted.sort(null);
      return new Row(
          stage,
          size,
          ToyModel.count(weights),
          batch,
          sorted.get(sorted.size() / 2),
          sorted.get(0));
    }
  }
}
