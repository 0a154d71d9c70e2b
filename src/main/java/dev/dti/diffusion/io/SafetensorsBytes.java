package dev.dti.diffusion.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small safetensors file held in memory and read into plain {@code float[]}, with no NDManager
 * and no native engine: for uploads and embedding files, where the bytes may come from anyone.
 * Every header entry is checked against the safetensors rules (known dtype, non-negative shape,
 * byte range of exactly shape × element size inside the data section, no duplicate keys) before
 * anything is read. Large checkpoints go through {@link SafetensorsFile}, which maps from disk.
 */
public final class SafetensorsBytes {

  /** One header entry: dtype as in the file, shape, and byte range relative to the data start. */
  public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    public long numel() {
      long count = 1;
      for (long dim : shape) {
        count *= dim;
      }
      return count;
    }
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final byte[] bytes;
  private final int dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsBytes(
      byte[] bytes, int dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    this.bytes = bytes;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** True when the bytes start like a safetensors file: a plausible header length, then '{'. */
  public static boolean looksLikeSafetensors(byte[] bytes) {
    if (bytes.length < 10) {
      return false;
    }
    long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return headerLength >= 2 && headerLength <= bytes.length - 8 && bytes[8] == '{';
  }

  public static SafetensorsBytes parse(byte[] bytes) throws IOException {
    if (!looksLikeSafetensors(bytes)) {
      throw new IOException("not a safetensors file (no header length and JSON header)");
    }
    int headerLength = (int) ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int dataStart = 8 + headerLength;
    JsonNode root;
    try {
      root = JSON.readTree(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
    } catch (JacksonException e) {
      throw new IOException("safetensors header is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IOException("safetensors header is not a JSON object");
    }
    long dataLength = bytes.length - (long) dataStart;
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> property : root.properties()) {
      String name = property.getKey();
      JsonNode node = property.getValue();
      if (name.equals("__metadata__")) {
        if (!node.isObject()) {
          throw new IOException("safetensors __metadata__ is not an object");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
          if (!m.getValue().isString()) {
            throw new IOException("safetensors metadata value '" + m.getKey() + "' is not text");
          }
          metadata.put(m.getKey(), m.getValue().asString());
        }
        continue;
      }
      entries.put(name, entry(name, node, dataLength));
    }
    return new SafetensorsBytes(
        bytes,
        dataStart,
        Collections.unmodifiableMap(entries),
        Collections.unmodifiableMap(metadata));
  }

  private static Entry entry(String name, JsonNode node, long dataLength) throws IOException {
    if (!node.isObject()
        || !node.path("dtype").isString()
        || !node.path("shape").isArray()
        || !node.path("data_offsets").isArray()
        || node.get("data_offsets").size() != 2) {
      throw new IOException("safetensors entry '" + name + "' lacks dtype, shape or data_offsets");
    }
    String dtype = node.get("dtype").asString();
    int elementSize = elementSize(dtype);
    JsonNode shapeNode = node.get("shape");
    long[] shape = new long[shapeNode.size()];
    long numel = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.canConvertToLong() || !dim.isIntegralNumber() || dim.asLong() < 0) {
        throw new IOException("safetensors entry '" + name + "' has an invalid shape");
      }
      shape[i] = dim.asLong();
      numel = shape[i] > dataLength ? Long.MAX_VALUE : numel * shape[i];
      if (numel > dataLength) {
        throw new IOException("safetensors entry '" + name + "' is larger than the file");
      }
    }
    JsonNode offsets = node.get("data_offsets");
    if (!offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
      throw new IOException("safetensors entry '" + name + "' has invalid data_offsets");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin || end > dataLength) {
      throw new IOException("safetensors entry '" + name + "' lies outside the file");
    }
    if (end - begin != numel * elementSize) {
      throw new IOException(
          "safetensors entry '"
              + name
              + "' holds "
              + (end - begin)
              + " bytes, its shape needs "
              + numel * elementSize);
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static int elementSize(String dtype) throws IOException {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> throw new IOException("unknown safetensors dtype " + dtype);
    };
  }

  public Set<String> names() {
    return entries.keySet();
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public Entry entry(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no tensor named '" + name + "'");
    }
    return entry;
  }

  /** The values of a floating-point tensor, row-major, widened or narrowed to float32. */
  public float[] floats(String name) throws IOException {
    Entry entry = entry(name);
    ByteBuffer data =
        ByteBuffer.wrap(bytes, dataStart + (int) entry.begin(), (int) (entry.end() - entry.begin()))
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[(int) entry.numel()];
    switch (entry.dtype()) {
      case "F32" -> data.asFloatBuffer().get(out);
      case "F64" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) data.getDouble(8 * i);
        }
      }
      case "F16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.float16ToFloat(data.getShort(2 * i));
        }
      }
      case "BF16" -> {
        for (int i = 0; i < out.length; i++) {
          out[i] = Float.intBitsToFloat((data.getShort(2 * i) & 0xFFFF) << 16);
        }
      }
      default ->
          throw new IOException(
              "tensor '" + name + "' has dtype " + entry.dtype() + ", not a floating-point type");
    }
    return out;
  }
}
