package dev.dti.diffusion.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A diffusers/transformers {@code config.json} read key by key: the one reader of the UNet, VAE,
 * text encoder, scheduler and pipeline configs. A key that is absent or JSON {@code null} yields
 * the caller's default, as {@code from_config} does; an int key holding anything but an integer is
 * refused with a sentence naming it.
 */
public final class ConfigJson {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final JsonNode root;

  private ConfigJson(JsonNode root) {
    this.root = root;
  }

  public static ConfigJson read(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new IOException("Missing config file " + path);
    }
    JsonNode root = JSON.readTree(Files.readString(path));
    if (!root.isObject()) {
      throw new IOException(path + " does not hold a JSON object");
    }
    return new ConfigJson(root);
  }

  /** A config given as JSON text (tests, benchmarks, configs written in code). */
  public static ConfigJson parse(String json) {
    return of(JSON.readTree(json));
  }

  /** A config already parsed; {@code root} must be a JSON object. */
  public static ConfigJson of(JsonNode root) {
    if (!root.isObject()) {
      throw new IllegalArgumentException("a config must be a JSON object, got " + root);
    }
    return new ConfigJson(root);
  }

  /** Whether {@code key} is present and not JSON {@code null}. */
  public boolean has(String key) {
    JsonNode node = root.get(key);
    return node != null && !node.isNull();
  }

  /** Whether {@code key} is present as JSON {@code null} (diffusers' None). */
  public boolean isNull(String key) {
    JsonNode node = root.get(key);
    return node != null && node.isNull();
  }

  public int getInt(String key, int defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    JsonNode node = root.get(key);
    if (!node.isIntegralNumber()) {
      throw new IllegalArgumentException(key + " must be an integer, got " + node);
    }
    return node.asInt();
  }

  public double getDouble(String key, double defaultValue) {
    return has(key) ? root.get(key).asDouble() : defaultValue;
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return has(key) ? root.get(key).asBoolean() : defaultValue;
  }

  public String getString(String key, String defaultValue) {
    return has(key) ? root.get(key).asString() : defaultValue;
  }

  public List<Integer> getIntList(String key, List<Integer> defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    List<Integer> values = new ArrayList<>();
    root.get(key).values().forEach(v -> values.add(v.asInt()));
    return List.copyOf(values);
  }

  public List<String> getStringList(String key, List<String> defaultValue) {
    if (!has(key)) {
      return defaultValue;
    }
    List<String> values = new ArrayList<>();
    root.get(key).values().forEach(v -> values.add(v.asString()));
    return List.copyOf(values);
  }

  /**
   * The raw value of {@code key} (null when absent), such as model_index.json's {@code "unet":
   * ["diffusers", "UNet2DConditionModel"]}.
   */
  public JsonNode node(String key) {
    return root.get(key);
  }
}
