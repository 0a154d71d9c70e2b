package dev.dti.concept;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** {@code dti}: Directional Textual Inversion (default); {@code ti}: classic Textual Inversion. */
public enum TrainingMethod {
  DTI,
  TI;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TrainingMethod> fromWireName(String value) {
    return Arrays.stream(values()).filter(m -> m.wireName().equals(value)).findFirst();
  }
}
