package dev.dti.diffusion.scheduler;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The keys of a diffusers {@code scheduler_config.json} that the DDPM, DDIM and Euler schedulers
 * read. Defaults are those of the diffusers 0.27.2 constructors and are listed only in {@link
 * #read}; like {@code DDIMScheduler.from_config}, keys of another scheduler class (for example SD
 * 1.5's PNDM config) are ignored and missing ones take the target class's default.
 */
public record SchedulerConfig(
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    String betaSchedule,
    String predictionType,
    boolean clipSample,
    double clipSampleRange,
    boolean setAlphaToOne,
    int stepsOffset,
    String timestepSpacing) {

  private static final Set<String> BETA_SCHEDULES =
      Set.of("linear", "scaled_linear", "squaredcos_cap_v2");
  private static final Set<String> PREDICTION_TYPES = Set.of("epsilon", "v_prediction", "sample");
  private static final Set<String> SPACINGS = Set.of("leading", "trailing", "linspace");

  /** The scheduler classes whose defaults {@link #read} knows. */
  public enum Target {
    DDPM,
    DDIM,
    EULER_DISCRETE
  }

  public SchedulerConfig {
    require(BETA_SCHEDULES, "beta_schedule", betaSchedule);
    require(PREDICTION_TYPES, "prediction_type", predictionType);
    require(SPACINGS, "timestep_spacing", timestepSpacing);
    if (numTrainTimesteps < 2) {
      throw new IllegalArgumentException("num_train_timesteps must be at least 2");
    }
  }

  private static void require(Set<String> allowed, String key, String value) {
    if (!allowed.contains(value)) {
      throw new IllegalArgumentException(
          "unsupported " + key + " '" + value + "' (supported: " + allowed + ")");
    }
  }

  public static SchedulerConfig read(Path schedulerConfigJson, Target target) throws IOException {
    ConfigJson c = ConfigJson.read(schedulerConfigJson);
    for (String key :
        new String[] {"thresholding", "rescale_betas_zero_snr", "use_karras_sigmas"}) {
      if (c.getBoolean(key, false)) {
        throw new IllegalArgumentException(
            schedulerConfigJson + ": " + key + "=true is not supported");
      }
    }
    if (c.has("trained_betas")) {
      throw new IllegalArgumentException(
          schedulerConfigJson + ": trained_betas is not supported; use a beta_schedule");
    }
    return new SchedulerConfig(
        c.getInt("num_train_timesteps", 1000),
        c.getDouble("beta_start", 0.0001),
        c.getDouble("beta_end", 0.02),
        c.getString("beta_schedule", "linear"),
        c.getString("prediction_type", "epsilon"),
        c.getBoolean("clip_sample", true),
        c.getDouble("clip_sample_range", 1.0),
        c.getBoolean("set_alpha_to_one", true),
        c.getInt("steps_offset", 0),
        c.getString("timestep_spacing", target == Target.EULER_DISCRETE ? "linspace" : "leading"));
  }
}
