package dev.dti.diffusion.scheduler;

/**
 * Which training timesteps a sampler of {@code steps} steps visits, highest first, by the config's
 * timestep_spacing (diffusers' set_timesteps; "Common Diffusion Noise Schedules and Sample Steps
 * are Flawed", table 2):
 *
 * <ul>
 *   <li>leading: (arange(0, n) · (T // n))[::-1] + steps_offset
 *   <li>trailing: round(arange(T, 0, −T/n)) − 1
 *   <li>linspace: linspace(0, T − 1, n)[::-1], not rounded (DDIM rounds it, Euler keeps floats)
 * </ul>
 */
final class TimestepSpacing {

  private TimestepSpacing() {}

  static double[] timesteps(SchedulerConfig config, int steps) {
    int trainSteps = config.numTrainTimesteps();
    if (steps < 1 || steps > trainSteps) {
      throw new IllegalArgumentException(
          "num_inference_steps must be in [1, " + trainSteps + "], was " + steps);
    }
    double[] timesteps = new double[steps];
    for (int i = 0; i < steps; i++) {
      int fromEnd = steps - 1 - i;
      timesteps[i] =
          switch (config.timestepSpacing()) {
            case "leading" -> fromEnd * (trainSteps / steps) + config.stepsOffset();
            case "trailing" -> Math.rint(trainSteps - i * ((double) trainSteps / steps)) - 1;
            case "linspace" -> (double) (trainSteps - 1) * fromEnd / Math.max(1, steps - 1);
            default -> throw new IllegalStateException(config.timestepSpacing());
          };
    }
    return timesteps;
  }
}
