package dev.dti.diffusion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetensorsBytesTest {

  /** A file with the given JSON header and data section, as the format lays it out. */
  static byte[] file(String header, byte[] data) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + json.length + data.length)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(json.length)
        .put(json)
        .put(data)
        .array();
  }

  @Test
  void float32TensorsWrittenWithoutAnEngineReadBackWithMetadataAndOrder() throws Exception {
    Map<String, SafetensorsWriter.Float32> tensors = new LinkedHashMap<>();
    tensors.put("b", new SafetensorsWriter.Float32(new long[] {2, 2}, new float[] {1, -2, 3, 4}));
    tensors.put("a", new SafetensorsWriter.Float32(new long[] {1}, new float[] {0.5f}));

    byte[] bytes = SafetensorsWriter.float32ToBytes(tensors, Map.of("format", "pt"));
    SafetensorsBytes file = SafetensorsBytes.parse(bytes);

    assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong() % 8).isZero();
    assertThat(file.names()).containsExactly("b", "a");
    assertThat(file.metadata()).containsExactly(Map.entry("format", "pt"));
    assertThat(file.entry("b").shape()).containsExactly(2, 2);
    assertThat(file.floats("b")).containsExactly(1, -2, 3, 4);
    assertThat(file.floats("a")).containsExactly(0.5f);
  }

  @Test
  void halfAndBfloat16AreWidened() throws Exception {
    byte[] data = {0x00, 0x3c, 0x00, (byte) 0xc0, (byte) 0x80, 0x3f};
    String header =
        "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[4,6]}}";
    SafetensorsBytes file = SafetensorsBytes.parse(file(header, data));

    assertThat(file.floats("h")).containsExactly(1f, -2f);
    assertThat(file.floats("b")).containsExactly(1f);
  }

  @Test
  void headersThatDisagreeWithTheirDataAreRefused() {
    assertThatThrownBy(
            () ->
                SafetensorsBytes.parse(
                    file(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                        new byte[8])))
        .hasMessageContaining("holds 4 bytes, its shape needs 8");
    assertThatThrownBy(
            () ->
                SafetensorsBytes.parse(
                    file(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                        new byte[4])))
        .hasMessageContaining("lies outside the file");
    assertThatThrownBy(
            () ->
                SafetensorsBytes.parse(
                    file(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                            + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        new byte[4])))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(
            () ->
                SafetensorsBytes.parse(
                    file(
                        "{\"x\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                        new byte[4])))
        .hasMessageContaining("unknown safetensors dtype Q7");
    assertThatThrownBy(() -> SafetensorsBytes.parse(new byte[] {1, 2, 3}))
        .hasMessageContaining("not a safetensors file");
  }
}
