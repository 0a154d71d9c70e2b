package dev.dti.training;

import java.util.Locale;

/** How the learned rows are parameterised and optimised. */
public enum TrainingMethod {
  /** Directional Textual Inversion: e = m·v, ‖v‖ = 1, SphericalSGD on v. */
  DTI,
  /** Classic Textual Inversion: AdamW on the raw rows. */
  TI;

  public static TrainingMethod fromWireName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
