package dev.dti.embedding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The byte layout of rows in the {@code rows_f32} columns (learned embeddings, training
 * checkpoints, interpolated points): an (n, d) int32 header, then n × d float32, all little-endian.
 */
public final class RowBytes {

  private RowBytes() {}

  public static byte[] encode(float[][] rows) {
    ByteBuffer buffer =
        ByteBuffer.allocate(8 + rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(rows.length).putInt(rows[0].length);
    for (float[] row : rows) {
      for (float x : row) {
        buffer.putFloat(x);
      }
    }
    return buffer.array();
  }

  /**
   * Reads {@link #encode}'s layout.
   *
   * @param expectedDim the dimension the caller expects, or -1 for any
   * @throws IllegalStateException when the stored dimension is not the expected one
   */
  public static float[][] decode(byte[] bytes, int expectedDim) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = buffer.getInt();
    int d = buffer.getInt();
    if (expectedDim >= 0 && d != expectedDim) {
      throw new IllegalStateException(
          "stored rows have dimension " + d + ", expected " + expectedDim);
    }
    float[][] rows = new float[n][d];
    for (float[] row : rows) {
      for (int i = 0; i < d; i++) {
        row[i] = buffer.getFloat();
      }
    }
    return rows;
  }
}
