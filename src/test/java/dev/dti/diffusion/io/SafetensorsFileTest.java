package dev.dti.diffusion.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.support.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

  @Test
  void readsTensorsOfTheGoldenClipInputsByName() throws Exception {
    try (NDManager manager = NDManager.newBaseManager();
        var file = SafetensorsFile.open(Golden.dir("clip_text").resolve("inputs.safetensors"))) {
      NDArray ids = file.load(manager, "input_ids");
      assertThat(ids.getShape()).isEqualTo(new Shape(2, 16));
      assertThat(ids.getDataType()).isEqualTo(DataType.INT64);
      assertThat(ids.toLongArray()).startsWith(998, 17, 245, 380, 52, 997, 611, 999);
      assertThat(file.load(manager, "ti_embedding").getShape()).isEqualTo(new Shape(32));
    }
  }

  @Test
  void writesMetadataAndHalfPrecisionThatReadBackAsFloat32(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("t.safetensors");
    try (NDManager manager = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      tensors.put("a", manager.create(new float[] {1.5f, -2f, 3.25f}, new Shape(3)));
      tensors.put(
          "b",
          manager.create(new float[] {0.5f, 4f}, new Shape(1, 2)).toType(DataType.FLOAT16, false));
      SafetensorsWriter.write(path, tensors, Map.of("format", "pt"));
      try (var file = SafetensorsFile.open(path)) {
        assertThat(file.metadata()).containsEntry("format", "pt");
        assertThat(file.info("b").dtype()).isEqualTo("F16");
        assertThat(file.load(manager, "a").toFloatArray()).containsExactly(1.5f, -2f, 3.25f);
        NDArray b = file.load(manager, "b");
        assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(b.toFloatArray()).containsExactly(0.5f, 4f);
      }
    }
  }

  @Test
  void refusesAFileThatIsNotSafetensors(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("x.safetensors");
    Files.write(path, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertThatThrownBy(() -> SafetensorsFile.open(path))
        .hasMessageContaining("is not a safetensors file");
  }
}
