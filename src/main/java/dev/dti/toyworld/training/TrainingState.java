package dev.dti.toyworld.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * training_state/state.json: where a run stands. Batches are a function of (seed, stage, step), so
 * the step numbers are the whole data and noise position; the optimizer moments, the UNet's
 * un-averaged weights and the EMA count live in tensors.safetensors next to it.
 *
 * @param stage "vae", "diffusion", "composition" or "done"
 * @param vaeSteps VAE steps taken (its AdamW step count)
 * @param diffusionSteps text encoder + UNet steps taken (their AdamW step count)
 * @param emaUpdates updates of the UNet's weight average
 * @param scalingFactor 1/std of the VAE's latents, measured when stage 1 ends (1 until then)
 * @param trainingSeconds wall time spent training, over all sessions
 * @param log one line per logged interval and evaluation, oldest first
 */
public record TrainingState(
    String architecture,
    long seed,
    String stage,
    long vaeSteps,
    long diffusionSteps,
    long emaUpdates,
    double scalingFactor,
    double trainingSeconds,
    List<String> log) {

  public static final String VAE = "vae";
  public static final String DIFFUSION = "diffusion";
  public static final String COMPOSITION = "composition";
  public static final String DONE = "done";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public TrainingState {
    log = List.copyOf(log);
  }

  public static TrainingState start(String architecture, long seed) {
    return new TrainingState(architecture, seed, VAE, 0, 0, 0, 1.0, 0, List.of());
  }

  public static TrainingState read(Path file) throws IOException {
    return JSON.readValue(Files.readString(file), TrainingState.class);
  }

  public void write(Path file) throws IOException {
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n");
  }

  public TrainingState withLog(String line) {
    List<String> lines = new ArrayList<>(log);
    lines.add(line);
    return new TrainingState(
        architecture,
        seed,
        stage,
        vaeSteps,
        diffusionSteps,
        emaUpdates,
        scalingFactor,
        trainingSeconds,
        lines);
  }

  public TrainingState withStage(String newStage) {
    return new TrainingState(
        architecture,
        seed,
        newStage,
        vaeSteps,
        diffusionSteps,
        emaUpdates,
        scalingFactor,
        trainingSeconds,
        log);
  }

  public TrainingState withSteps(long newVaeSteps, long newDiffusionSteps, long newEmaUpdates) {
    return new TrainingState(
        architecture,
        seed,
        stage,
        newVaeSteps,
        newDiffusionSteps,
        newEmaUpdates,
        scalingFactor,
        trainingSeconds,
        log);
  }

  public TrainingState withScalingFactor(double newScalingFactor) {
    return new TrainingState(
        architecture,
        seed,
        stage,
        vaeSteps,
        diffusionSteps,
        emaUpdates,
        newScalingFactor,
        trainingSeconds,
        log);
  }

  public TrainingState withTrainingSeconds(double newTrainingSeconds) {
    return new TrainingState(
        architecture,
        seed,
        stage,
        vaeSteps,
        diffusionSteps,
        emaUpdates,
        scalingFactor,
        newTrainingSeconds,
        log);
  }
}
