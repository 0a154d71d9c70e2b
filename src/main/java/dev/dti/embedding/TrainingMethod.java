package dev.dti.embedding;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How an embedding's rows were learned. The wire names {@code dti} and {@code ti} are what the API,
 * the JSON of stored plans and the {@code method} columns carry.
 */
public enum TrainingMethod {
  /** Directional Textual Inversion (the default): e = m·v, ‖v‖ = 1, SphericalSGD on v. */
  DTI,
  /** Classic Textual Inversion: AdamW on the raw rows, whose norm is free. */
  TI;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The method with this wire name, if there is one. */
  public static Optional<TrainingMethod> fromWire(String value) {
    return Arrays.stream(values()).filter(m -> m.wireName().equals(value)).findFirst();
  }

  /**
   * The method with this wire name, for values this service wrote itself.
   *
   * @throws IllegalArgumentException for any other value
   */
  @JsonCreator
  public static TrainingMethod ofWire(String value) {
    return fromWire(value)
        .orElseThrow(() -> new IllegalArgumentException("unknown training method '" + value + "'"));
  }

  /** DTI's rows all have the vocabulary's mean norm m; TI's have any norm. */
  public boolean fixesNorm() {
    return this == DTI;
  }
}
