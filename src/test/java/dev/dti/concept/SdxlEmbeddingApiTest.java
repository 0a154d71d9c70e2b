package dev.dti.concept;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dti.diffusion.io.SafetensorsBytes;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.Golden;
import dev.dti.support.Multipart;
import dev.dti.support.TinySdxlFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Import and export of SDXL embeddings through the REST API, with the service's model pointed at a
 * copy of the tiny SDXL golden pipeline ({@link TinySdxlFolder}: text_encoder 16 wide,
 * text_encoder_2 24 wide) and the golden {@code cat-toy.safetensors} that diffusers loaded into
 * both encoders.
 */
class SdxlEmbeddingApiTest extends ApiTest {

  @Autowired EmbeddingRepository embeddings;

  @DynamicPropertySource
  static void sdxlModel(DynamicPropertyRegistry registry) {
    registry.add("dti.model.dir", () -> TinySdxlFolder.get().toString());
  }

  static byte[] catToy() throws IOException {
    return Files.readAllBytes(Golden.dir("sdxl_pipeline_tiny").resolve("cat-toy.safetensors"));
  }

  static SafetensorsBytes reference() throws IOException {
    return SafetensorsBytes.parse(
        Files.readAllBytes(Golden.dir("sdxl_pipeline_tiny").resolve("reference.safetensors")));
  }

  static float[] concat(float[][] rows) {
    int d = rows[0].length;
    float[] out = new float[rows.length * d];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * d, d);
    }
    return out;
  }

  Response importFile(TestTenant tenant, Multipart form, String token, boolean repair) {
    return api.postMultipart(
        "/v1/concepts/import",
        tenant.key(),
        form.field("token", token).field("repair", Boolean.toString(repair)));
  }

  Response importFile(TestTenant tenant, byte[] bytes, String filename, String token) {
    return importFile(
        tenant,
        new Multipart().file("file", filename, "application/octet-stream", bytes),
        token,
        false);
  }

  Embedding stored(TestTenant tenant, Response created) {
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    UUID id = UUID.fromString(created.json().get("id").asString());
    return embeddings.find(tenant.id(), id, null).orElseThrow();
  }

  void assertCatToyRows(Embedding embedding) throws IOException {
    SafetensorsBytes reference = reference();
    assertThat(embedding.encoders().keySet()).containsExactly(TEXT_ENCODER, TEXT_ENCODER_2);
    assertThat(concat(embedding.rows(TEXT_ENCODER))).containsExactly(reference.floats("ti_clip_l"));
    assertThat(concat(embedding.rows(TEXT_ENCODER_2)))
        .containsExactly(reference.floats("ti_clip_g"));
  }

  @Test
  void theGoldenCatToyFileImportsWithEachEncodersRowsAndM() throws IOException {
    TestTenant tenant = newTenant();

    Embedding embedding =
        stored(tenant, importFile(tenant, catToy(), "cat-toy.safetensors", "<cat-toy>"));

    assertCatToyRows(embedding);
    assertThat(embedding.encoder(TEXT_ENCODER).normM()).isCloseTo(0.0788744148, within(1e-9));
    assertThat(embedding.encoder(TEXT_ENCODER_2).normM()).isCloseTo(0.0968888011, within(1e-9));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a1111", "kohya", "diffusers"})
  void eachSdxlExportReimportsToTheSameRows(String format) throws IOException {
    TestTenant tenant = newTenant();
    Response created = importFile(tenant, catToy(), "cat-toy.safetensors", "<cat-toy>");
    String id = created.json().get("id").asString();

    Response download = api.get("/v1/concepts/" + id + "/embedding?format=" + format, tenant.key());

    assertThat(download.status()).as(download.body()).isEqualTo(200);
    boolean zip = format.equals("diffusers");
    assertThat(download.contentType())
        .startsWith(zip ? "application/zip" : "application/octet-stream");
    assertThat(download.header("Content-Disposition"))
        .contains(zip ? "cat-toy.zip" : "cat-toy.safetensors");
    if (!zip) {
      SafetensorsBytes file = SafetensorsBytes.parse(download.bytes());
      assertThat(file.names()).containsExactlyInAnyOrder("clip_l", "clip_g");
      assertThat(file.metadata()).containsEntry("dti.token", "<cat-toy>");
      assertThat(Double.parseDouble(file.metadata().get("dti.norm_m")))
          .isCloseTo(0.0788744148, within(1e-9));
      assertThat(Double.parseDouble(file.metadata().get("dti.norm_m_2")))
          .isCloseTo(0.0968888011, within(1e-9));
    }
    Embedding back =
        stored(
            tenant,
            importFile(
                tenant, download.bytes(), zip ? "cat-toy.zip" : "cat-toy.safetensors", "<again>"));
    assertCatToyRows(back);
  }

  @Test
  void theDiffusersPairDownloadedFilePerEncoderReimportsAsTwoParts() throws IOException {
    TestTenant tenant = newTenant();
    String id =
        importFile(tenant, catToy(), "cat-toy.safetensors", "<cat-toy>")
            .json()
            .get("id")
            .asString();

    Response first =
        api.get(
            "/v1/concepts/" + id + "/embedding?format=diffusers&encoder=text_encoder",
            tenant.key());
    Response second =
        api.get(
            "/v1/concepts/" + id + "/embedding?format=diffusers&encoder=text_encoder_2",
            tenant.key());

    assertThat(first.header("Content-Disposition")).contains("cat-toy.safetensors");
    assertThat(second.header("Content-Disposition")).contains("cat-toy_2.safetensors");
    assertThat(SafetensorsBytes.parse(first.bytes()).entry("<cat-toy>").shape())
        .containsExactly(1, 16);
    assertThat(SafetensorsBytes.parse(second.bytes()).entry("<cat-toy>").shape())
        .containsExactly(1, 24);
    Multipart pair =
        new Multipart()
            .file("file", "learned_embeds.safetensors", "application/octet-stream", first.bytes())
            .file(
                "file_2",
                "learned_embeds_2.safetensors",
                "application/octet-stream",
                second.bytes());
    assertCatToyRows(stored(tenant, importFile(tenant, pair, "<pair>", false)));
  }

  @Test
  void repairPutsEachEncodersRowsAtThatEncodersM() throws IOException {
    TestTenant tenant = newTenant();
    EmbeddingFile golden = EmbeddingFiles.read(catToy(), "cat-toy.safetensors");
    float[][] l = {dev.dti.embedding.Rows.scaled(golden.rows(TEXT_ENCODER)[0], 7)};
    float[][] g = {dev.dti.embedding.Rows.scaled(golden.rows(TEXT_ENCODER_2)[0], 0.1)};
    byte[] ti =
        EmbeddingFiles.write(EmbeddingFormat.A1111, EmbeddingFile.xl("<ti>", l, g, Map.of()));

    Embedding repaired =
        stored(
            tenant,
            importFile(
                tenant,
                new Multipart().file("file", "ti.safetensors", "application/octet-stream", ti),
                "<ti>",
                true));

    assertThat(dev.dti.embedding.Rows.norm(repaired.rows(TEXT_ENCODER)[0]))
        .isCloseTo(0.0788744148, within(1e-7));
    assertThat(dev.dti.embedding.Rows.norm(repaired.rows(TEXT_ENCODER_2)[0]))
        .isCloseTo(0.0968888011, within(1e-7));
  }

  @Test
  void anSdFileIsRefusedNamingBothWidthsTheModelNeedsAndNothingIsStored() {
    TestTenant tenant = newTenant();
    byte[] sd =
        EmbeddingFiles.write(
            EmbeddingFormat.A1111,
            new EmbeddingFile("<sd>", new float[][] {new float[16]}, Map.of()));

    Response response = importFile(tenant, sd, "sd.safetensors", "<sd>");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "This file has rows 16 wide for one text encoder (an SD 1.x/2.x embedding); the"
                + " model is SDXL and needs clip_l 16 and clip_g 24.");
    assertThat(rows(tenant).concepts()).isZero();
  }

  @Test
  void anSdxlFileOfAnotherSizeIsRefusedNamingTheWidths() {
    TestTenant tenant = newTenant();
    byte[] big =
        EmbeddingFiles.write(
            EmbeddingFormat.A1111,
            EmbeddingFile.xl(
                "<big>",
                new float[][] {new float[768]},
                new float[][] {new float[1280]},
                Map.of()));

    Response response = importFile(tenant, big, "big.safetensors", "<big>");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "This file has rows clip_l 768 wide and clip_g 1280 wide; the model is SDXL and needs"
                + " clip_l 16 and clip_g 24 (it was made for another model family).");
    assertThat(rows(tenant).concepts()).isZero();
  }

  @Test
  void clipLAndClipGWithDifferentRowCountsAreRefused() {
    TestTenant tenant = newTenant();
    Map<String, SafetensorsWriter.Float32> tensors = new LinkedHashMap<>();
    tensors.put("clip_g", new SafetensorsWriter.Float32(new long[] {1, 24}, new float[24]));
    tensors.put("clip_l", new SafetensorsWriter.Float32(new long[] {2, 16}, new float[32]));
    byte[] bytes = SafetensorsWriter.float32ToBytes(tensors, Map.of());

    Response response = importFile(tenant, bytes, "odd.safetensors", "<odd>");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "The file is not a usable embedding: clip_l has 2 vectors but clip_g has 1; an SDXL"
                + " embedding has one row per token position in each text encoder.");
    assertThat(rows(tenant).concepts()).isZero();
  }
}
