package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.job.JobRepository;
import dev.dti.job.WorkerPool;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.Multipart;
import dev.dti.support.TestDatabase;
import dev.dti.support.TestImages;
import dev.dti.support.TestWorkers;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A training job from upload to downloadable embedding, on a tiny random-weight model, through the
 * REST API and the real queue. The context runs no workers of its own; each test drives pools, so
 * it can take one away in the middle of a run.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "dti.roles=api",
      "dti.training.checkpoint-every=2",
      "dti.training.progress-every=1",
      "dti.training.preview-every=3",
      "dti.training.preview-steps=2"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TrainingJobApiTest {

  private static final Path MODEL = tinyModel();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestDatabase.get().url());
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", MODEL::toString);
  }

  @LocalServerPort int port;
  @Autowired TenantService tenants;
  @Autowired TrainingHandler handler;
  @Autowired JobRepository jobRepository;
  @Autowired JdbcClient jdbc;
  @Autowired EmbeddingRepository embeddings;

  private ApiClient api;
  private String key;
  private WorkerPool pool;

  @BeforeEach
  void setUp() {
    api = new ApiClient(port);
    key = tenants.createTenant("training-" + UUID.randomUUID()).key().key();
  }

  @AfterEach
  void stopWorkers() {
    if (pool != null) {
      pool.stop();
    }
  }

  @Test
  void aDtiJobRunsToSucceededWithItsNormAtMAtEveryCheckpointAndDownloadsInEveryFormat()
      throws Exception {
    startWorkers();
    JsonNode created = createConcept("<blob>", 6).json();
    String conceptId = created.at("/concept/id").asString();
    String jobId = created.at("/job/id").asString();

    JsonNode job = awaitState(jobId, "succeeded");

    double m =
        jdbc.sql(
                "SELECT DISTINCT norm_m FROM concept_embeddings WHERE concept_id = CAST(:c AS uuid)")
            .param("c", conceptId)
            .query(Double.class)
            .single();
    assertThat(job.get("embeddingNorm").asDouble()).isCloseTo(m, within(1e-6));
    assertThat(job.at("/history/steps").size()).isEqualTo(6);
    job.at("/history/norm").forEach(norm -> assertThat(norm.asDouble()).isCloseTo(m, within(1e-6)));
    assertThat(steps(conceptId)).containsExactly(2, 4, 6);
    assertThat(
            jdbc.sql("SELECT type FROM job_events WHERE job_id = CAST(:j AS uuid) ORDER BY id")
                .param("j", jobId)
                .query(String.class)
                .list())
        .as("one event per transition: queued, started, a progress report per step, succeeded")
        .containsExactly(
            "queued",
            "started",
            "progress",
            "progress",
            "progress",
            "progress",
            "progress",
            "progress",
            "succeeded");
    for (int step : List.of(2, 4, 6)) {
      for (float[] row : download(conceptId, "diffusers", step).rows()) {
        assertThat(Rows.norm(row)).isCloseTo(m, within(1e-6));
      }
    }
    EmbeddingFile diffusers = download(conceptId, "diffusers", null);
    assertThat(diffusers.token()).isEqualTo("<blob>");
    assertThat(download(conceptId, "a1111", null).rows()).isDeepEqualTo(diffusers.rows());
    assertThat(download(conceptId, "kohya", null).rows()).isDeepEqualTo(diffusers.rows());
    assertThat(api.get("/v1/jobs/" + jobId + "/previews", key).json().toString())
        .isEqualTo("[3,6]");
    Response preview = api.get("/v1/jobs/" + jobId + "/previews/6", key);
    assertThat(preview.contentType()).isEqualTo("image/png");
    assertThat(
            javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(preview.bytes()))
                .getWidth())
        .isEqualTo(32);
    assertThat(api.get("/v1/concepts/" + conceptId + "/embedding?step=3", key).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/concepts/" + conceptId + "/embedding?format=ckpt", key).status())
        .isEqualTo(400);
  }

  @Test
  void aJobWhoseWorkerWentAwayMidRunResumesFromItsCheckpointAndEndsWithTheSameRows()
      throws Exception {
    startWorkers();
    JsonNode straight = createConcept("<straight>", 8).json();
    awaitState(straight.at("/job/id").asString(), "succeeded");
    pool.stop();

    JsonNode interrupted = createConcept("<interrupted>", 8).json();
    String jobId = interrupted.at("/job/id").asString();
    startWorkers();
    await().atMost(Duration.ofMinutes(3)).until(() -> checkpointStep(jobId) >= 2);
    pool.stop(); // the worker goes away mid-run: its job returns to the queue
    int resumedFrom = checkpointStep(jobId);
    JsonNode stopped = api.get("/v1/jobs/" + jobId, key).json();
    assertThat(stopped.get("state").asString()).isEqualTo("queued");
    assertThat(stopped.get("currentStep").asInt()).isEqualTo(resumedFrom);
    assertThat(stopped.get("attempts").asInt()).isZero();
    startWorkers();
    JsonNode done = awaitState(jobId, "succeeded");

    assertThat(resumedFrom).isBetween(2, 7);
    assertThat(done.get("attempts").asInt()).isEqualTo(1);
    assertThat(done.get("crashes").asInt()).isZero();
    assertThat(download(interrupted.at("/concept/id").asString(), "diffusers", null).rows())
        .isDeepEqualTo(download(straight.at("/concept/id").asString(), "diffusers", null).rows());
  }

  @Test
  void anExportedEmbeddingImportsBackUnchangedAndRepairPutsATiEmbeddingOnTheSphere()
      throws Exception {
    startWorkers();
    JsonNode created = createConcept("<source>", 2).json();
    awaitState(created.at("/job/id").asString(), "succeeded");
    String conceptId = created.at("/concept/id").asString();
    byte[] a1111 = api.get("/v1/concepts/" + conceptId + "/embedding?format=a1111", key).bytes();

    Response imported = importFile(a1111, "source.safetensors", "<copy>", false);
    assertThat(imported.status()).isEqualTo(201);
    String copyId = imported.json().get("id").asString();
    assertThat(download(copyId, "kohya", null).rows())
        .isDeepEqualTo(download(conceptId, "kohya", null).rows());

    EmbeddingFile original = download(conceptId, "diffusers", null);
    float[][] swollen = new float[original.vectors()][];
    for (int i = 0; i < swollen.length; i++) {
      swollen[i] = Rows.scaled(original.rows()[i], 20); // TI-style norm inflation
    }
    byte[] tiFile =
        EmbeddingFiles.write(
            EmbeddingFormat.DIFFUSERS, new EmbeddingFile("<ti>", swollen, Map.of()));
    Response repaired = importFile(tiFile, "ti.safetensors", "<repaired>", true);
    assertThat(repaired.status()).isEqualTo(201);
    double m = Rows.norm(original.rows()[0]);
    for (float[] row : download(repaired.json().get("id").asString(), "diffusers", null).rows()) {
      assertThat(Rows.norm(row)).isCloseTo(m, within(1e-6));
    }
  }

  @Test
  void anImportedA1111FileKeepsItsStepAndCheckpointFieldsWhenExported() {
    byte[] a1111 =
        EmbeddingFiles.write(
            EmbeddingFormat.A1111,
            new EmbeddingFile(
                "<x>",
                new float[][] {filled(32, 0.01f)},
                Map.of("step", "500", "sd_checkpoint", "a9263745", "sd_checkpoint_name", "v1-5")));

    Response imported = importFile(a1111, "kept.safetensors", "<kept>", false);

    assertThat(imported.status()).as(imported.body()).isEqualTo(201);
    String id = imported.json().get("id").asString();
    for (String format : List.of("a1111", "diffusers")) {
      assertThat(download(id, format, null).metadata())
          .containsEntry("step", "500")
          .containsEntry("sd_checkpoint", "a9263745")
          .containsEntry("sd_checkpoint_name", "v1-5")
          .containsEntry("dti.method", "ti");
    }
  }

  @Test
  void aSnapshotDownloadsUnderAFileNameWithItsStepAndTheFinalOneWithout() {
    byte[] file =
        EmbeddingFiles.write(
            EmbeddingFormat.DIFFUSERS,
            new EmbeddingFile("<x>", new float[][] {filled(32, 0.01f)}, Map.of()));
    Response imported = importFile(file, "x.safetensors", "<snap>", false);
    String id = imported.json().get("id").asString();
    UUID tenantId =
        jdbc.sql("SELECT tenant_id FROM concepts WHERE id = CAST(:c AS uuid)")
            .param("c", id)
            .query(UUID.class)
            .single();
    embeddings.save(
        null,
        Embedding.builder(UUID.fromString(id), tenantId)
            .step(50)
            .encoder(Embedding.TEXT_ENCODER, new float[][] {filled(32, 0.02f)}, 0.1)
            .method(TrainingMethod.TI)
            .baseModelId("toy")
            .build());

    for (String format : List.of("diffusers", "a1111", "kohya")) {
      String path = "/v1/concepts/" + id + "/embedding?format=" + format;
      assertThat(api.get(path + "&step=50", key).header("Content-Disposition"))
          .contains("filename=\"snap-step50.safetensors\"");
      assertThat(api.get(path, key).header("Content-Disposition"))
          .contains("filename=\"snap.safetensors\"");
    }
  }

  @Test
  void importRefusesRowsOfTheWrongDimensionAndStoresNothing() {
    long before = conceptCount();
    byte[] wrong =
        EmbeddingFiles.write(
            EmbeddingFormat.A1111,
            new EmbeddingFile("<x>", new float[][] {filled(768, 0.01f)}, Map.of()));

    Response response = importFile(wrong, "sd15.safetensors", "<wrong>", false);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.json().get("detail").asString()).contains("768-dimensional");
    assertThat(conceptCount()).isEqualTo(before);
  }

  private void startWorkers() {
    pool = TestWorkers.start(jobRepository, List.of(handler));
  }

  private Response createConcept(String token, int steps) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Blob")
            .field("token", token)
            .field("initializer", "a")
            .field("steps", Integer.toString(steps))
            .field("batchSize", "2")
            .field("learningRate", "0.05")
            .field("seed", "7");
    Response response = api.postMultipart("/v1/concepts", key, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response;
  }

  private Response importFile(byte[] bytes, String filename, String token, boolean repair) {
    Multipart form =
        new Multipart()
            .file("file", filename, "application/octet-stream", bytes)
            .field("token", token)
            .field("repair", Boolean.toString(repair));
    return api.postMultipart("/v1/concepts/import", key, form);
  }

  private JsonNode awaitState(String jobId, String expected) {
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String state = state(jobId);
              assertThat(state)
                  .as("job %s ended early: %s", jobId, api.get("/v1/jobs/" + jobId, key).body())
                  .isIn("queued", "running", expected);
              return state.equals(expected);
            });
    return api.get("/v1/jobs/" + jobId, key).json();
  }

  private String state(String jobId) {
    return api.get("/v1/jobs/" + jobId, key).json().get("state").asString();
  }

  private int checkpointStep(String jobId) {
    return jdbc.sql(
            "SELECT coalesce(max(step), 0) FROM training_checkpoints WHERE job_id = CAST(:j AS uuid)")
        .param("j", jobId)
        .query(Integer.class)
        .single();
  }

  private List<Integer> steps(String conceptId) {
    return jdbc.sql(
            "SELECT step FROM concept_embeddings WHERE concept_id = CAST(:c AS uuid) ORDER BY step")
        .param("c", conceptId)
        .query(Integer.class)
        .list();
  }

  private long conceptCount() {
    return jdbc.sql("SELECT count(*) FROM concepts").query(Long.class).single();
  }

  private EmbeddingFile download(String conceptId, String format, Integer step) {
    String path =
        "/v1/concepts/"
            + conceptId
            + "/embedding?format="
            + format
            + (step == null ? "" : "&step=" + step);
    Response response = api.get(path, key);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return EmbeddingFiles.read(response.bytes(), "embedding.safetensors");
  }

  private static float[] filled(int n, float value) {
    float[] row = new float[n];
    java.util.Arrays.fill(row, value);
    return row;
  }

  private static Path tinyModel() {
    try {
      return TinyModelFolder.create(Files.createTempDirectory("dti-tiny-model"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
