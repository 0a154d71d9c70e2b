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
 * A diffusers/transformers {@code config.json} read key by key. A key that is absent or JSON {@code
 * null} yields the caller's default, as {@code from_config} does.
 */
public final class ConfigJson {

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path path;
  private final JsonNode root;

  private ConfigJson(Path path, JsonNode root) {
    this.path = path;
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
    return new ConfigJson(path, root);
  }

  public Path path() {
    return path;
  }

  public boolean has(String key) {
    JsonNode node = root.get(key);
    return node != null && !node.isNull();
  }

  public int getInt(String key, int defaultValue) {
    return has(key) ? root.get(key).asInt() : defaultValue;
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
   * A nested value such as model_index.json's {@code "unet": ["diffusers",
   * "UNet2DConditionModel"]}.
   */
  public JsonNode node(String key) {
    return root.get(key);
  }
}
