package dev.dti.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Binary form of an {@link OptimizerState}: step count, then AdamW's moments if present. */
final class OptimizerStates {

  private OptimizerStates() {}

  static byte[] toBytes(OptimizerState state) {
    boolean moments = state.firstMoment() != null;
    int n = moments ? state.firstMoment().length : 0;
    int d = moments ? state.firstMoment()[0].length : 0;
    ByteBuffer buffer = ByteBuffer.allocate(12 + 2 * n * d * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(state.steps()).putInt(n).putInt(d);
    if (moments) {
      for (float[][] moment : new float[][][] {state.firstMoment(), state.secondMoment()}) {
        for (float[] row : moment) {
          for (float x : row) {
            buffer.putFloat(x);
          }
        }
      }
    }
    return buffer.array();
  }

  static OptimizerState fromBytes(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int steps = buffer.getInt();
    int n = buffer.getInt();
    int d = buffer.getInt();
    if (n == 0) {
      return new OptimizerState(steps, null, null);
    }
    float[][] first = new float[n][d];
    float[][] second = new float[n][d];
    for (float[][] moment : new float[][][] {first, second}) {
      for (float[] row : moment) {
        for (int i = 0; i < d; i++) {
          row[i] = buffer.getFloat();
        }
      }
    }
    return new OptimizerState(steps, first, second);
  }
}
