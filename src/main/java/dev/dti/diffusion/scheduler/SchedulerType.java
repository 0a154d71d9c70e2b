package dev.dti.diffusion.scheduler;

import java.util.Arrays;
import java.util.List;

/**
 * The schedulers sampling can use, by the name the API takes and the name AUTOMATIC1111 writes in a
 * picture's parameters ("Sampler: DDIM"). Each is built from the model's loaded scheduler config,
 * as {@code EulerDiscreteScheduler.from_config(pipe.scheduler.config)} swaps the scheduler of a
 * diffusers pipeline: the same betas, prediction type and timestep spacing.
 */
public enum SchedulerType {
  DDIM("ddim", "DDIM"),
  EULER("euler", "Euler");

  private final String id;
  private final String samplerName;

  SchedulerType(String id, String samplerName) {
    this.id = id;
    this.samplerName = samplerName;
  }

  /** The name requests use: {@code ddim}, {@code euler}. */
  public String id() {
    return id;
  }

  /** The name in AUTOMATIC1111's {@code parameters} text: {@code DDIM}, {@code Euler}. */
  public String samplerName() {
    return samplerName;
  }

  /**
   * A new scheduler of this type. {@code eta} is DDIM's η (0: deterministic); Euler without churn
   * has no such term and ignores it, as diffusers' pipeline passes eta only to schedulers whose
   * step takes it.
   */
  public Scheduler create(SchedulerConfig config, double eta) {
    return switch (this) {
      case DDIM -> new DDIMScheduler(config, eta);
      case EULER -> new EulerDiscreteScheduler(config);
    };
  }

  /** Every {@link #id()}, in declaration order. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(SchedulerType::id).toList();
  }

  /** The type named {@code id}; an unknown name fails with a sentence listing the known ones. */
  public static SchedulerType of(String id) {
    for (SchedulerType type : values()) {
      if (type.id.equals(id)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "unknown scheduler '" + id + "'; the schedulers are " + String.join(", ", ids()));
  }
}
