package dev.dti.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Binary form of an {@link OptimizerState}, little-endian. Two layouts:
 *
 * <pre>
 *   rows of one width:  steps, n, d, then AdamW's two moments as n × d float32 (n = d = 0: none)
 *   rows of mixed width: steps, -1, n, d₀ … dₙ₋₁, then the two moments row by row
 * </pre>
 *
 * The first is the only layout written before rows of several text encoders were trained together;
 * it is still written when it can express the state, so a checkpoint of a single-encoder run reads
 * the same in every version.
 */
final class OptimizerStates {

  /** Marks the mixed-width layout where the first layout has its (non-negative) row count. */
  private static final int MIXED_WIDTHS = -1;

  private OptimizerStates() {}

  static byte[] toBytes(OptimizerState state) {
    float[][] first = state.firstMoment();
    if (first == null) {
      return ByteBuffer.allocate(12)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putInt(state.steps())
          .putInt(0)
          .putInt(0)
          .array();
    }
    int n = first.length;
    boolean uniform = true;
    long values = 0;
    for (float[] row : first) {
      uniform &= row.length == first[0].length;
      values += row.length;
    }
    int header = uniform ? 12 : 12 + 4 * n;
    ByteBuffer buffer =
        ByteBuffer.allocate(Math.toIntExact(header + 2 * values * 4))
            .order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(state.steps());
    if (uniform) {
      buffer.putInt(n).putInt(first[0].length);
    } else {
      buffer.putInt(MIXED_WIDTHS).putInt(n);
      for (float[] row : first) {
        buffer.putInt(row.length);
      }
    }
    for (float[][] moment : new float[][][] {first, state.secondMoment()}) {
      for (float[] row : moment) {
        for (float x : row) {
          buffer.putFloat(x);
        }
      }
    }
    return buffer.array();
  }

  static OptimizerState fromBytes(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int steps = buffer.getInt();
    int count = buffer.getInt();
    int[] widths;
    if (count == MIXED_WIDTHS) {
      widths = new int[buffer.getInt()];
      for (int i = 0; i < widths.length; i++) {
        widths[i] = buffer.getInt();
      }
    } else {
      int d = buffer.getInt();
      widths = new int[count];
      java.util.Arrays.fill(widths, d);
    }
    if (widths.length == 0) {
      return new OptimizerState(steps, null, null);
    }
    float[][] first = new float[widths.length][];
    float[][] second = new float[widths.length][];
    for (float[][] moment : new float[][][] {first, second}) {
      for (int row = 0; row < widths.length; row++) {
        moment[row] = new float[widths[row]];
        for (int i = 0; i < widths[row]; i++) {
          moment[row][i] = buffer.getFloat();
        }
      }
    }
    return new OptimizerState(steps, first, second);
  }
}
