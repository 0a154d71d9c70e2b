package dev.dti.embedding.file;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static dev.dti.embedding.file.PickleBytes.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dti.diffusion.io.SafetensorsBytes;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.support.Golden;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SDXL embedding files: A1111's, ComfyUI's and kohya's {@code {"clip_l", "clip_g"}} layout and the
 * diffusers pair, checked against the golden cat-toy file that diffusers loaded into both encoders.
 */
class SdxlEmbeddingFilesTest {

  static byte[] catToy() throws Exception {
    return Files.readAllBytes(Golden.dir("sdxl_pipeline_tiny").resolve("cat-toy.safetensors"));
  }

  /** The golden rows diffusers put into each encoder: ti_clip_l [1, 16] and ti_clip_g [1, 24]. */
  static float[][] reference(String name) throws Exception {
    SafetensorsBytes reference =
        SafetensorsBytes.parse(
            Files.readAllBytes(Golden.dir("sdxl_pipeline_tiny").resolve("reference.safetensors")));
    long[] shape = reference.entry(name).shape();
    float[] flat = reference.floats(name);
    float[][] rows = new float[(int) shape[0]][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = Arrays.copyOfRange(flat, r * (int) shape[1], (r + 1) * (int) shape[1]);
    }
    return rows;
  }

  /** The tensor names of a safetensors file in the order its JSON header lists them. */
  static List<String> headerOrder(byte[] bytes) throws Exception {
    long length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    String json = new String(bytes, 8, (int) length, StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    new ObjectMapper().readTree(json).fieldNames().forEachRemaining(names::add);
    names.remove("__metadata__");
    return names;
  }

  /** The tensor data after the header. */
  static byte[] data(byte[] bytes) {
    long length = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    return Arrays.copyOfRange(bytes, 8 + (int) length, bytes.length);
  }

  static EmbeddingFile twoVectorXL() {
    float[][] l = {{0.25f, -0.5f}, {1f, 2f}};
    float[][] g = {{3f, -4f, 0.125f}, {-0f, 1e-30f, 7f}};
    return EmbeddingFile.xl("<cat-toy>", l, g, Map.of("step", "400", "dti.norm_m", "0.0788"));
  }

  static void assertBitEqual(float[][] actual, float[][] expected) {
    assertThat(actual).hasDimensions(expected.length, expected[0].length);
    for (int r = 0; r < expected.length; r++) {
      for (int i = 0; i < expected[r].length; i++) {
        assertThat(Float.floatToRawIntBits(actual[r][i]))
            .as("row %d value %d", r, i)
            .isEqualTo(Float.floatToRawIntBits(expected[r][i]));
      }
    }
  }

  // --- the golden file ---------------------------------------------------------------------

  @Test
  void theGoldenCatToyFileReadsAsClipLForTextEncoderAndClipGForTextEncoder2BitForBit()
      throws Exception {
    EmbeddingFile read = EmbeddingFiles.read(catToy(), "cat-toy.safetensors");

    assertThat(read.isXL()).isTrue();
    assertThat(read.token()).isEqualTo("cat-toy");
    assertThat(read.encoders().keySet()).containsExactly(TEXT_ENCODER, TEXT_ENCODER_2);
    assertThat(read.vectors()).isEqualTo(1);
    assertThat(read.dimension(TEXT_ENCODER)).isEqualTo(16);
    assertThat(read.dimension(TEXT_ENCODER_2)).isEqualTo(24);
    assertBitEqual(read.rows(TEXT_ENCODER), reference("ti_clip_l"));
    assertBitEqual(read.rows(TEXT_ENCODER_2), reference("ti_clip_g"));
  }

  @ParameterizedTest
  @EnumSource(
      value = EmbeddingFormat.class,
      names = {"A1111", "KOHYA"})
  void a1111AndKohyaWriteTheGoldenLayoutClipGThenClipLInF32WithTheSameDataBytes(
      EmbeddingFormat format) throws Exception {
    EmbeddingFile golden = EmbeddingFiles.read(catToy(), "cat-toy.safetensors");

    byte[] written = EmbeddingFiles.write(format, golden);

    assertThat(headerOrder(written)).containsExactly("clip_g", "clip_l");
    assertThat(headerOrder(catToy())).containsExactly("clip_g", "clip_l");
    SafetensorsBytes parsed = SafetensorsBytes.parse(written);
    assertThat(parsed.entry("clip_g").dtype()).isEqualTo("F32");
    assertThat(parsed.entry("clip_l").dtype()).isEqualTo("F32");
    assertThat(parsed.entry("clip_g").shape()).containsExactly(1, 24);
    assertThat(parsed.entry("clip_l").shape()).containsExactly(1, 16);
    assertThat(data(written)).isEqualTo(data(catToy()));
    assertThat(parsed.metadata())
        .containsEntry("format", "pt")
        .containsEntry("name", "cat-toy")
        .containsEntry(EmbeddingFiles.TOKEN_METADATA, "cat-toy");
    EmbeddingFile back = EmbeddingFiles.read(written, format.suggestedFilename("x", null, true));
    assertThat(back.token()).isEqualTo("cat-toy");
    assertBitEqual(back.rows(TEXT_ENCODER), reference("ti_clip_l"));
    assertBitEqual(back.rows(TEXT_ENCODER_2), reference("ti_clip_g"));
  }

  @Test
  void theDiffusersDownloadIsAZipOfTheReadmeAndOneTokenFilePerEncoder() throws Exception {
    EmbeddingFile file = twoVectorXL();

    byte[] zip = EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, file);
    Map<String, byte[]> entries = ZipEntries.read(zip, EmbeddingFiles.MAX_FILE_BYTES);

    assertThat(entries.keySet())
        .containsExactly(
            "README.txt", "learned_embeds.safetensors", "learned_embeds_2.safetensors");
    String readme = new String(entries.get("README.txt"), StandardCharsets.UTF_8);
    assertThat(readme)
        .contains(
            "pipe.load_textual_inversion(\"learned_embeds.safetensors\", token=\"<cat-toy>\",\n"
                + "      text_encoder=pipe.text_encoder, tokenizer=pipe.tokenizer)")
        .contains(
            "pipe.load_textual_inversion(\"learned_embeds_2.safetensors\", token=\"<cat-toy>\",\n"
                + "      text_encoder=pipe.text_encoder_2, tokenizer=pipe.tokenizer_2)");
    SafetensorsBytes first = SafetensorsBytes.parse(entries.get("learned_embeds.safetensors"));
    SafetensorsBytes second = SafetensorsBytes.parse(entries.get("learned_embeds_2.safetensors"));
    assertThat(first.names()).containsExactly("<cat-toy>");
    assertThat(second.names()).containsExactly("<cat-toy>");
    assertThat(first.entry("<cat-toy>").shape()).containsExactly(2, 2);
    assertThat(second.entry("<cat-toy>").shape()).containsExactly(2, 3);
    assertThat(first.floats("<cat-toy>")).containsExactly(0.25f, -0.5f, 1f, 2f);
    assertThat(second.floats("<cat-toy>")).containsExactly(3f, -4f, 0.125f, -0f, 1e-30f, 7f);
    assertThat(first.metadata()).containsEntry("format", "pt").containsEntry("step", "400");
    assertThat(entries.get("learned_embeds_2.safetensors"))
        .isEqualTo(EmbeddingFiles.writeDiffusers(file, TEXT_ENCODER_2));
  }

  @ParameterizedTest
  @EnumSource(EmbeddingFormat.class)
  void everyFormatOfAnSdxlEmbeddingReadsBackTheSameTokenRowsAndMetadata(EmbeddingFormat format) {
    EmbeddingFile original = twoVectorXL();

    byte[] bytes = EmbeddingFiles.write(format, original);
    EmbeddingFile read =
        EmbeddingFiles.read(bytes, format.suggestedFilename(original.token(), null, true));

    assertThat(read.token()).isEqualTo("<cat-toy>");
    assertBitEqual(read.rows(TEXT_ENCODER), original.rows(TEXT_ENCODER));
    assertBitEqual(read.rows(TEXT_ENCODER_2), original.rows(TEXT_ENCODER_2));
    assertThat(read.metadata()).containsAllEntriesOf(original.metadata());
  }

  @Test
  void theDiffusersPairSentAsTwoFilesReadsAsOneSdxlEmbedding() {
    EmbeddingFile original = twoVectorXL();

    EmbeddingFile read =
        EmbeddingFiles.readPair(
            EmbeddingFiles.writeDiffusers(original, TEXT_ENCODER),
            "learned_embeds.safetensors",
            EmbeddingFiles.writeDiffusers(original, TEXT_ENCODER_2),
            "learned_embeds_2.safetensors");

    assertThat(read.token()).isEqualTo("<cat-toy>");
    assertBitEqual(read.rows(TEXT_ENCODER), original.rows(TEXT_ENCODER));
    assertBitEqual(read.rows(TEXT_ENCODER_2), original.rows(TEXT_ENCODER_2));
    assertThat(read.metadata()).containsAllEntriesOf(original.metadata());
  }

  @Test
  void aKohyaSdxlPtIsAClipLClipGDictNamedAfterTheFile() {
    // torch.save({'clip_l': tensor [1, 2], 'clip_g': tensor [1, 3]}), as kohya's
    // sdxl_train_textual_inversion.py writes a .pt
    PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).mark();
    p.unicode("clip_l").put(1);
    int memo = p.tensor(2, "0", 2, 0, new int[] {1, 2}, new int[] {2, 1});
    p.unicode("clip_g").put(memo++);
    p.tensor(memo, "1", 3, 0, new int[] {1, 3}, new int[] {3, 1});
    byte[] pt =
        PickleBytes.zip(
            false,
            "archive/data.pkl",
            p.setitems().stop().bytes(),
            "archive/data/0",
            floats(0.5f, -1.25f),
            "archive/data/1",
            floats(3f, 1e-3f, -0f));

    EmbeddingFile read = EmbeddingFiles.read(pt, "bunny.pt");

    assertThat(read.token()).isEqualTo("bunny");
    assertThat(read.rows(TEXT_ENCODER)).isDeepEqualTo(new float[][] {{0.5f, -1.25f}});
    assertThat(read.rows(TEXT_ENCODER_2)).isDeepEqualTo(new float[][] {{3f, 1e-3f, -0f}});
  }

  // --- refusals ----------------------------------------------------------------------------

  static byte[] safetensors(Map<String, float[][]> tensors) {
    Map<String, SafetensorsWriter.Float32> out = new LinkedHashMap<>();
    tensors.forEach(
        (name, rows) ->
            out.put(
                name,
                new SafetensorsWriter.Float32(
                    new long[] {rows.length, rows[0].length}, EmbeddingFilesTest.flat(rows))));
    return SafetensorsWriter.float32ToBytes(out, Map.of());
  }

  @Test
  void clipLAndClipGWithDifferentVectorCountsAreRefusedNamingBoth() {
    byte[] bytes =
        safetensors(
            Map.of("clip_l", new float[][] {{1f, 2f}, {3f, 4f}}, "clip_g", new float[][] {{1f}}));

    assertThatThrownBy(() -> EmbeddingFiles.read(bytes, "x.safetensors"))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessage(
            "clip_l has 2 vectors but clip_g has 1; an SDXL embedding has one row per token"
                + " position in each text encoder");
  }

  @Test
  void clipLWithoutClipGIsRefused() {
    byte[] bytes = safetensors(Map.of("clip_l", new float[][] {{1f, 2f}}));

    assertThatThrownBy(() -> EmbeddingFiles.read(bytes, "x.safetensors"))
        .hasMessage(
            "the SDXL embedding has clip_l but no clip_g; an SDXL embedding holds rows for both"
                + " text encoders (clip_l and clip_g)");
  }

  @Test
  void aThirdTensorBesideClipLAndClipGIsRefused() {
    Map<String, float[][]> tensors = new LinkedHashMap<>();
    tensors.put("clip_g", new float[][] {{1f}});
    tensors.put("clip_l", new float[][] {{1f}});
    tensors.put("junk", new float[][] {{1f}});

    assertThatThrownBy(() -> EmbeddingFiles.read(safetensors(tensors), "x.safetensors"))
        .hasMessage(
            "the SDXL embedding holds [junk] besides clip_l and clip_g; an embedding file holds"
                + " only its rows");
  }

  @Test
  void aPairWithDifferentVectorCountsIsRefused() {
    byte[] one = EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, rows("<a>", 1, 2));
    byte[] two = EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, rows("<a>", 2, 3));

    assertThatThrownBy(() -> EmbeddingFiles.readPair(one, "a.safetensors", two, "b.safetensors"))
        .hasMessage(
            "the text_encoder file has 1 vectors but the text_encoder_2 file has 2; an SDXL"
                + " embedding has one row per token position in each text encoder");
  }

  @Test
  void aZipWithOtherFilesThanThePairIsRefusedNamingThem() {
    byte[] zip =
        PickleBytes.zip(
            false,
            "learned_embeds.safetensors",
            EmbeddingFiles.write(EmbeddingFormat.DIFFUSERS, rows("<a>", 1, 2)),
            "notes/photo.png",
            new byte[] {1, 2, 3});

    assertThatThrownBy(() -> EmbeddingFiles.read(zip, "pair.zip"))
        .hasMessage(
            "not an embedding file: a zip archive that is neither a torch.save archive (no"
                + " data.pkl) nor the diffusers pair of an SDXL embedding"
                + " (learned_embeds.safetensors and learned_embeds_2.safetensors); it holds"
                + " [notes/photo.png]");
  }

  @Test
  void anSdxlFileHasNoSingleRowsAndSaysToNameTheEncoder() {
    assertThatThrownBy(() -> twoVectorXL().rows())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "an SDXL embedding has rows for [text_encoder, text_encoder_2]; name the encoder");
  }

  static EmbeddingFile rows(String token, int n, int d) {
    float[][] rows = new float[n][d];
    for (float[] row : rows) {
      Arrays.fill(row, 0.5f);
    }
    return new EmbeddingFile(token, rows, Map.of());
  }
}
