package dev.dti.embedding.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.diffusion.io.SafetensorsBytes;
import dev.dti.diffusion.io.SafetensorsWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EmbeddingFilesTest {

  static final float[][] ROWS = {
    {0.125f, -1.5f, 3.0e-7f, Float.MIN_VALUE},
    {-0.0f, 42.0f, -2.75f, Float.MAX_VALUE},
    {1f / 3f, (float) Math.PI, -1e-30f, 7f}
  };

  static EmbeddingFile rabbit() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("step", "500");
    metadata.put("sd_checkpoint", "sd15");
    metadata.put("dti.method", "dti");
    metadata.put("dti.norm_m", "0.3873");
    metadata.put("dti.base_model", "runwayml/stable-diffusion-v1-5");
    return new EmbeddingFile("<my-rabbit>", ROWS, metadata);
  }

  static float[] flat(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
    }
    return out;
  }

  // --- writing and round trips -------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(EmbeddingFormat.class)
  void everyFormatReadsBackTheExactFloatsTokenAndMetadata(EmbeddingFormat format) {
    EmbeddingFile original = rabbit();
    byte[] bytes = EmbeddingFiles.write(format, original);

    EmbeddingFile read = EmbeddingFiles.read(bytes, format.suggestedFilename(original.token()));

    assertThat(read.token()).isEqualTo("<my-rabbit>");
    assertThat(read.rows()).isDeepEqualTo(ROWS);
    for (int r = 0; r < ROWS.length; r++) {
      for (int i = 0; i < ROWS[r].length; i++) {
        assertThat(Float.floatToRawIntBits(read.rows()[r][i]))
            .isEqualTo(Float.floatToRawIntBits(ROWS[r][i]));
      }
    }
    assertThat(read.metadata()).containsAllEntriesOf(original.metadata());
  }

  @Test
  void theDiffusersFileHasExactlyOneF32TensorNamedByTheTokenAndFormatPt() throws Exception {
    SafetensorsBytes file =
        SafetensorsBytes.parse(EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, rabbit()));

    assertThat(file.names()).containsExactly("<my-rabbit>");
    assertThat(file.entry("<my-rabbit>").dtype()).isEqualTo("F32");
    assertThat(file.entry("<my-rabbit>").shape()).containsExactly(3, 4);
    assertThat(file.metadata()).containsEntry("format", "pt");
    assertThat(file.floats("<my-rabbit>")).containsExactly(flat(ROWS));
  }

  @ParameterizedTest
  @EnumSource(
      value = EmbeddingFormat.class,
      names = {"A1111", "KOHYA"})
  void a1111AndKohyaFilesHoldOnlyEmbParamsAndNameTheEmbeddingLikeTheFile(EmbeddingFormat format)
      throws Exception {
    SafetensorsBytes file = SafetensorsBytes.parse(EmbeddingFiles.write(format, rabbit()));

    assertThat(file.names()).containsExactly("emb_params");
    assertThat(file.entry("emb_params").dtype()).isEqualTo("F32");
    assertThat(file.entry("emb_params").shape()).containsExactly(3, 4);
    assertThat(file.metadata())
        .containsEntry("format", "pt")
        .containsEntry("name", "my-rabbit")
        .containsEntry("dti.token", "<my-rabbit>")
        .containsEntry("step", "500")
        .containsEntry("sd_checkpoint", "sd15")
        .containsEntry("dti.method", "dti");
    assertThat(format.suggestedFilename("<my-rabbit>")).isEqualTo("my-rabbit.safetensors");
  }

  @Test
  void suggestedFilenamesDropAngleBracketsAndCharactersFilesystemsDislike() {
    assertThat(EmbeddingFormat.DIFFUSERS.suggestedFilename("<my-rabbit>"))
        .isEqualTo("my-rabbit.safetensors");
    assertThat(EmbeddingFormat.A1111.suggestedFilename("<a b/c:d>"))
        .isEqualTo("a-b-c-d.safetensors");
    assertThat(EmbeddingFormat.KOHYA.suggestedFilename("<>")).isEqualTo("embedding.safetensors");
  }

  @Test
  void wireNamesAreLowerCaseAndParseBack() {
    for (EmbeddingFormat format : EmbeddingFormat.values()) {
      assertThat(EmbeddingFormat.fromWireName(format.wireName())).isSameAs(format);
    }
    assertThat(EmbeddingFormat.A1111.wireName()).isEqualTo("a1111");
    assertThatThrownBy(() -> EmbeddingFormat.fromWireName("ckpt"))
        .hasMessageContaining("expected diffusers, a1111 or kohya");
  }

  @Test
  void anEmbParamsFileFromAnotherToolIsNamedAfterItsFileAsA1111Does() {
    byte[] kohya =
        SafetensorsWriter.float32ToBytes(
            Map.of(
                "emb_params",
                new SafetensorsWriter.Float32(
                    new long[] {2, 4}, java.util.Arrays.copyOf(flat(ROWS), 8))),
            Map.of("ss_network_module", "x"));

    EmbeddingFile read = EmbeddingFiles.read(kohya, "downloads/Bunny Style.safetensors");

    assertThat(read.token()).isEqualTo("Bunny Style");
    assertThat(read.rows()).hasDimensions(2, 4);
  }

  @Test
  void aFlattenedStringToParamSafetensorsIsNamedAfterItsFileAsA1111Does() {
    byte[] flattened =
        SafetensorsWriter.float32ToBytes(
            Map.of(
                "string_to_param.*", new SafetensorsWriter.Float32(new long[] {3, 4}, flat(ROWS))),
            Map.of());

    EmbeddingFile read = EmbeddingFiles.read(flattened, "embeddings/bad-hands.safetensors");

    assertThat(read.token()).isEqualTo("bad-hands");
    assertThat(read.rows()).isDeepEqualTo(ROWS);
  }

  @Test
  void aSnapshotsFilenameCarriesItsStepSoItDoesNotClashWithTheFinalFile() {
    assertThat(EmbeddingFormat.A1111.suggestedFilename("<my-rabbit>", 50))
        .isEqualTo("my-rabbit-step50.safetensors");
    assertThat(EmbeddingFormat.DIFFUSERS.suggestedFilename("<my-rabbit>", 50))
        .isEqualTo("my-rabbit-step50.safetensors");
    assertThat(EmbeddingFormat.KOHYA.suggestedFilename("<my-rabbit>", null))
        .isEqualTo("my-rabbit.safetensors");
  }

  @Test
  void aOneDimensionalDiffusersTensorIsOneVector() {
    byte[] old =
        SafetensorsWriter.float32ToBytes(
            Map.of("<cat-toy>", new SafetensorsWriter.Float32(new long[] {4}, ROWS[0])), Map.of());

    EmbeddingFile read = EmbeddingFiles.read(old, null);

    assertThat(read.token()).isEqualTo("<cat-toy>");
    assertThat(read.rows()).isDeepEqualTo(new float[][] {ROWS[0]});
  }

  // --- refusals on write --------------------------------------------------------------------

  @Test
  void anEmbeddingWithNanOrInfinityOrTooManyVectorsCannotBeMade() {
    float[][] nan = {ROWS[0], ROWS[1], {0f, Float.NaN, 0f, 0f}};
    assertThatThrownBy(() -> new EmbeddingFile("<x>", nan, Map.of()))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessage("row 2 contains NaN");
    float[][] inf = {{Float.NEGATIVE_INFINITY}};
    assertThatThrownBy(() -> new EmbeddingFile("<x>", inf, Map.of()))
        .hasMessage("row 0 contains Infinity");
    assertThatThrownBy(() -> new EmbeddingFile("<x>", new float[76][4], Map.of()))
        .hasMessageContaining("76 vectors; at most 75");
    assertThatThrownBy(() -> new EmbeddingFile("<x>", new float[1][4097], Map.of()))
        .hasMessageContaining("dimension is 4097");
    assertThatThrownBy(() -> new EmbeddingFile("<x>", new float[][] {{1, 2}, {3}}, Map.of()))
        .hasMessageContaining("row 1 has 1 values, not 2");
    assertThatThrownBy(() -> new EmbeddingFile(" ", ROWS, Map.of()))
        .hasMessageContaining("no token");
  }

  @Test
  void theRecordCopiesItsRowsSoCallersCannotChangeIt() {
    float[][] rows = {{1f, 2f}};
    EmbeddingFile file = new EmbeddingFile("<x>", rows, Map.of());
    rows[0][0] = 99f;
    file.rows()[0][1] = 99f;
    assertThat(file.rows()).isDeepEqualTo(new float[][] {{1f, 2f}});
    assertThat(file).isEqualTo(new EmbeddingFile("<x>", new float[][] {{1f, 2f}}, Map.of()));
  }

  // --- refusals on read: safetensors --------------------------------------------------------

  @Test
  void aSafetensorsFileWithANanRowIsRefusedNamingTheRow() {
    float[][] rows = {ROWS[0], ROWS[1], ROWS[2].clone()};
    rows[2][3] = Float.NaN;
    byte[] bytes =
        SafetensorsWriter.float32ToBytes(
            Map.of("emb_params", new SafetensorsWriter.Float32(new long[] {3, 4}, flat(rows))),
            Map.of());

    assertThatThrownBy(() -> EmbeddingFiles.read(bytes, "nan.safetensors"))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessage("row 2 contains NaN");
  }

  @Test
  void wrongShapesAreRefused() {
    byte[] cube =
        SafetensorsWriter.float32ToBytes(
            Map.of("<x>", new SafetensorsWriter.Float32(new long[] {1, 1, 2}, new float[2])),
            Map.of());
    assertThatThrownBy(() -> EmbeddingFiles.read(cube, "x.safetensors"))
        .hasMessageContaining("has shape [1, 1, 2]; an embedding is [n, d] or [d]");

    byte[] tall =
        SafetensorsWriter.float32ToBytes(
            Map.of("<x>", new SafetensorsWriter.Float32(new long[] {76, 1}, new float[76])),
            Map.of());
    assertThatThrownBy(() -> EmbeddingFiles.read(tall, "x.safetensors"))
        .hasMessageContaining("76 vectors");

    byte[] two =
        SafetensorsWriter.float32ToBytes(
            Map.of(
                "a", new SafetensorsWriter.Float32(new long[] {1}, new float[1]),
                "b", new SafetensorsWriter.Float32(new long[] {1}, new float[1])),
            Map.of());
    assertThatThrownBy(() -> EmbeddingFiles.read(two, "x.safetensors"))
        .hasMessageContaining("holds 2 tensors");
  }

  @Test
  void truncatedSafetensorsAreRefusedAsDamaged() {
    byte[] whole = EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, rabbit());
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 5);

    assertThatThrownBy(() -> EmbeddingFiles.read(cut, "x.safetensors"))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessageContaining("damaged safetensors file");
  }

  @Test
  void bytesOfNoKnownKindAreNotAnEmbeddingFile() {
    assertThatThrownBy(() -> EmbeddingFiles.read("hello world".getBytes(), "x.pt"))
        .hasMessageContaining("not an embedding file");
    assertThatThrownBy(() -> EmbeddingFiles.read(new byte[0], "x.pt"))
        .hasMessageContaining("empty");
  }

  @Test
  void filesOverTenMegabytesAreRefusedBeforeParsing() {
    assertThatThrownBy(() -> EmbeddingFiles.read(new byte[10 * 1024 * 1024 + 1], "big.pt"))
        .hasMessageContaining("at most 10 MB");
  }
}
