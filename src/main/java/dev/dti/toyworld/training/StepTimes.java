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

    Row withSize(String newSize) {
      return new Row(stage, newSize, parameters, batch, medianSeconds, minSeconds);
    }
  }

  private StepTimes() {}

  /** Diffusion stage (text encoder + UNet) of {@code architecture}; {@code steps} timed steps. */
  public static Row diffusion(ToyModelArchitecture architecture, int batch, int steps) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ToyModel model = ToyModel.initialize(architecture, manager, 0);
      var weights = new java.util.LinkedHashMap<>(model.textEncoder().parameters());
      weights.putAll(prefixed("unet.", model.unet().parameters()));
      ToyModel.requireGradients(weights, true);
      WeightAdamW optimizer = new WeightAdamW(weights, manager, 0.01f, 1f);
      TrainingSteps training = new TrainingSteps(model, 0, batch, 1.0);
      List<Double> seconds = new ArrayList<>();
      for (int step = 0; step < steps + 1; step++) {
        long start = System.nanoTime();
        training.diffusionStep(manager, step);
        optimizer.step(1e-4);
        if (step > 0) { // the first step includes one-time allocation
          seconds.add((System.nanoTime() - start) / 1e9);
        }
      }
      long unetParameters = ToyModel.count(model.unet().parameters());
      return row(
              "text encoder + UNet", architecture.name(), ToyModel.count(weights), batch, seconds)
          .withSize(
              architecture.name()
                  + " "
                  + architecture.unet().blockOutChannels()
                  + "×"
                  + architecture.unet().layersPerBlock()
                  + " (UNet "
                  + String.format(Locale.ROOT, "%.2f", unetParameters / 1e6)
                  + " M)");
    }
  }

  /** VAE stage; {@code steps} timed steps. */
  public static Row vae(ToyModelArchitecture architecture, int batch, int steps) {
    try (NDManager manager = NDManager.newBaseManager()) {
      ToyModel model = ToyModel.initialize(architecture, manager, 0);
      var weights = model.vaeWeights();
      ToyModel.requireGradients(weights, true);
      WeightAdamW optimizer = new WeightAdamW(weights, manager, 0.01f, 1f);
      TrainingSteps training = new TrainingSteps(model, 0, batch, 1.0);
      List<Double> seconds = new ArrayList<>();
      for (int step = 0; step < steps + 1; step++) {
        long start = System.nanoTime();
        training.vaeStep(manager, step);
        optimizer.step(1e-4);
        if (step > 0) {
          seconds.add((System.nanoTime() - start) / 1e9);
        }
      }
      return row(
          "VAE",
          "VAE " + architecture.vae().blockOutChannels(),
          ToyModel.count(weights),
          batch,
          seconds);
    }
  }

  static java.util.Map<String, ai.djl.ndarray.NDArray> prefixed(
      String prefix, java.util.Map<String, ai.djl.ndarray.NDArray> weights) {
    var out = new java.util.LinkedHashMap<String, ai.djl.ndarray.NDArray>();
    weights.forEach((name, array) -> out.put(prefix + name, array));
    return out;
  }

  private static Row row(String stage, String size, long parameters, int batch, List<Double> s) {
    List<Double> sorted = new ArrayList<>(s);
    sorted.sort(null);
    return new Row(stage, size, parameters, batch, sorted.get(sorted.size() / 2), sorted.get(0));
  }
}
