package dev.dti.job;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads one top-level value of a job's payload or progress detail (JSON text). */
public final class PayloadValues {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private PayloadValues() {}

  /** The value of {@code key} as text, or null when the JSON is null or has no such key. */
  public static String string(String json, String key) {
    JsonNode value = node(json, key);
    return value == null ? null : value.asString();
  }

  /** The value of {@code key} as a number, or null when absent or not a number. */
  public static Double number(String json, String key) {
    JsonNode value = node(json, key);
    return value == null || !value.isNumber() ? null : value.asDouble();
  }

  private static JsonNode node(String json, String key) {
    if (json == null || json.isBlank()) {
      return null;
    }
    JsonNode value = JSON.readTree(json).get(key);
    return value == null || value.isNull() ? null : value;
  }
}
