package dev.dti.training;

import dev.dti.embedding.Embedding;
import dev.dti.embedding.RowBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binary form of a checkpoint's parameters per text encoder (the {@code rows_f32} column of {@code
 * training_checkpoints}), little-endian. Two layouts:
 *
 * <pre>
 *   the one encoder text_encoder: {@link RowBytes}' n, d, n × d float32
 *   any other set of encoders:    -1, count, then per encoder: name length, UTF-8 name, n, d, n × d float32
 * </pre>
 *
 * The first is what every checkpoint held before SDXL's second encoder, and what an SD 1.x/2.x run
 * still writes.
 */
final class CheckpointParameters {

  /** Marks the per-encoder layout where the first layout has its (positive) row count. */
  private static final int PER_ENCODER = -1;

  private CheckpointParameters() {}

  static byte[] encode(Map<String, float[][]> parameters) {
    if (parameters.size() == 1 && parameters.containsKey(Embedding.TEXT_ENCODER)) {
      return RowBytes.encode(parameters.get(Embedding.TEXT_ENCODER));
    }
    int size = 8;
    for (var entry : parameters.entrySet()) {
      float[][] rows = entry.getValue();
      size += 4 + entry.getKey().getBytes(StandardCharsets.UTF_8).length + 8;
      size += 4 * rows.length * rows[0].length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(PER_ENCODER).putInt(parameters.size());
    for (var entry : parameters.entrySet()) {
      byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
      float[][] rows = entry.getValue();
      buffer.putInt(name.length).put(name).putInt(rows.length).putInt(rows[0].length);
      for (float[] row : rows) {
        for (float x : row) {
          buffer.putFloat(x);
        }
      }
    }
    return buffer.array();
  }

  static Map<String, float[][]> decode(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (buffer.getInt() != PER_ENCODER) {
      return Map.of(Embedding.TEXT_ENCODER, RowBytes.decode(bytes, -1));
    }
    int count = buffer.getInt();
    Map<String, float[][]> parameters = new LinkedHashMap<>();
    for (int e = 0; e < count; e++) {
      byte[] name = new byte[buffer.getInt()];
      buffer.get(name);
      float[][] rows = new float[buffer.getInt()][buffer.getInt()];
      for (float[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          row[i] = buffer.getFloat();
        }
      }
      parameters.put(new String(name, StandardCharsets.UTF_8), rows);
    }
    return parameters;
  }
}
