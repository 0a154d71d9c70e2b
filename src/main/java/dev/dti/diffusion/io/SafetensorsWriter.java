package dev.dti.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes safetensors with optional {@code __metadata__}, tensors in the given map order (DJL's
 * encoder writes no metadata, which diffusers' textual-inversion loader needs).
 */
public final class SafetensorsWriter {

  private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

  private SafetensorsWriter() {}

  public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    try (OutputStream out = Files.newOutputStream(path)) {
      write(out, tensors, metadata);
    }
  }

  public static byte[] toBytes(Map<String, NDArray> tensors, Map<String, String> metadata) {
    var out = new java.io.ByteArrayOutputStream();
    try {
      write(out, tensors, metadata);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static void write(
      OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
      NDArray array = entry.getValue();
      ObjectNode node = header.putObject(entry.getKey());
      node.put("dtype", dtypeName(array.getDataType()));
      ArrayNode shape = node.putArray("shape");
      for (long dim : array.getShape().getShape()) {
        shape.add(dim);
      }
      long length = array.getShape().size() * array.getDataType().getNumOfBytes();
      node.putArray("data_offsets").add(offset).add(offset + length);
      offset += length;
    }
    byte[] headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padding = (8 - headerBytes.length % 8) % 8; // keep the data section 8-byte aligned
    ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    length.putLong(headerBytes.length + padding);
    out.write(length.array());
    out.write(headerBytes);
    for (int i = 0; i < padding; i++) {
      out.write(' ');
    }
    for (NDArray array : tensors.values()) {
      out.write(array.toByteArray());
    }
  }

  /** A float32 tensor held in Java memory: row-major values and their shape. */
  public record Float32(long[] shape, float[] values) {
    public Float32 {
      long count = 1;
      for (long dim : shape) {
        if (dim < 0) {
          throw new IllegalArgumentException("negative dimension in shape");
        }
        count *= dim;
      }
      if (count != values.length) {
        throw new IllegalArgumentException(
            "shape holds " + count + " values but " + values.length + " were given");
      }
    }
  }

  /**
   * Writes float32 tensors held in Java memory, without an NDManager or a native engine: the same
   * layout as {@link #write(OutputStream, Map, Map)} (metadata first, tensors in map order).
   */
  public static byte[] float32ToBytes(Map<String, Float32> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Float32> entry : tensors.entrySet()) {
      ObjectNode node = header.putObject(entry.getKey());
      node.put("dtype", "F32");
      ArrayNode shape = node.putArray("shape");
      for (long dim : entry.getValue().shape()) {
        shape.add(dim);
      }
      long length = 4L * entry.getValue().values().length;
      node.putArray("data_offsets").add(offset).add(offset + length);
      offset += length;
    }
    byte[] headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padding = (8 - headerBytes.length % 8) % 8;
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(8 + headerBytes.length + padding + offset))
            .order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(headerBytes.length + padding).put(headerBytes);
    for (int i = 0; i < padding; i++) {
      out.put((byte) ' ');
    }
    for (Float32 tensor : tensors.values()) {
      for (float value : tensor.values()) {
        out.putFloat(value);
      }
    }
    return out.array();
  }

  private static String dtypeName(DataType type) {
    return switch (type) {
      case FLOAT32 -> "F32";
      case FLOAT16 -> "F16";
      case FLOAT64 -> "F64";
      case INT64 -> "I64";
      case INT32 -> "I32";
      default -> throw new IllegalArgumentException("cannot write dtype " + type);
    };
  }
}
