package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.embedding.Embedding;
import dev.dti.embedding.RowBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointBytesTest {

  @Test
  void anOptimizerStateOfOneWidthIsWrittenInTheLayoutEveryEarlierCheckpointHas() {
    var state =
        new OptimizerState(7, new float[][] {{1, 2}, {3, 4}}, new float[][] {{5, 6}, {7, 8}});

    byte[] bytes = OptimizerStates.toBytes(state);

    ByteBuffer expected = ByteBuffer.allocate(12 + 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
    expected.putInt(7).putInt(2).putInt(2);
    for (float x = 1; x <= 8; x++) {
      expected.putFloat(x);
    }
    assertThat(bytes).containsExactly(expected.array());
    OptimizerState back = OptimizerStates.fromBytes(bytes);
    assertThat(back.steps()).isEqualTo(7);
    assertThat(back.firstMoment()).isDeepEqualTo(state.firstMoment());
    assertThat(back.secondMoment()).isDeepEqualTo(state.secondMoment());
  }

  @Test
  void anOptimizerStateOverRowsOfTwoWidthsReadsBackRowByRow() {
    var state =
        new OptimizerState(
            3,
            new float[][] {{1, 2}, {3, 4, 5}, {6, 7, 8}},
            new float[][] {{-1, -2}, {-3, -4, -5}, {-6, -7, -8}});

    OptimizerState back = OptimizerStates.fromBytes(OptimizerStates.toBytes(state));

    assertThat(back.steps()).isEqualTo(3);
    assertThat(back.firstMoment()).isDeepEqualTo(state.firstMoment());
    assertThat(back.secondMoment()).isDeepEqualTo(state.secondMoment());
  }

  @Test
  void sphericalSgdsStateHasNoMoments() {
    OptimizerState back =
        OptimizerStates.fromBytes(OptimizerStates.toBytes(new OptimizerState(9, null, null)));

    assertThat(back).isEqualTo(new OptimizerState(9, null, null));
  }

  @Test
  void theRowsOfSdsOneEncoderAreStoredInTheRowBytesLayoutOfEarlierCheckpoints() {
    float[][] rows = {{0.5f, -0.25f}, {1, 2}};

    byte[] bytes = CheckpointParameters.encode(Map.of(Embedding.TEXT_ENCODER, rows));

    assertThat(bytes).containsExactly(RowBytes.encode(rows));
    assertThat(CheckpointParameters.decode(bytes).get(Embedding.TEXT_ENCODER)).isDeepEqualTo(rows);
  }

  @Test
  void theRowsOfTwoEncodersOfDifferentWidthsReadBackByNameInOrder() {
    Map<String, float[][]> parameters = new LinkedHashMap<>();
    parameters.put("text_encoder", new float[][] {{1, 2, 3}});
    parameters.put("text_encoder_2", new float[][] {{4, 5, 6, 7, 8}});

    Map<String, float[][]> back =
        CheckpointParameters.decode(CheckpointParameters.encode(parameters));

    assertThat(back.keySet()).containsExactly("text_encoder", "text_encoder_2");
    assertThat(back.get("text_encoder")).isDeepEqualTo(parameters.get("text_encoder"));
    assertThat(back.get("text_encoder_2")).isDeepEqualTo(parameters.get("text_encoder_2"));
  }
}
