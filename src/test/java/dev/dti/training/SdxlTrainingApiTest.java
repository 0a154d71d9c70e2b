package dev.dti.training;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.Rows;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.job.JobRepository;
import dev.dti.job.WorkerPool;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.Multipart;
import dev.dti.support.TestDatabase;
import dev.dti.support.TestImages;
import dev.dti.support.TestWorkers;
import dev.dti.support.TinySdxlFolder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A DTI job on an SDXL model from upload to files, through the REST API and the real queue: the
 * service's model is a copy of the tiny SDXL golden pipeline (text_encoder 16 wide, m_l ≈ 0.0789;
 * text_encoder_2 24 wide, m_g ≈ 0.0969). The context has a database of its own and no workers; the
 * test starts a pool, as a worker process would.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "dti.roles=api",
      "dti.training.checkpoint-every=2",
      "dti.training.progress-every=1",
      "dti.training.preview-every=0"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SdxlTrainingApiTest {

  private static final double M_L = 0.0788744148;
  private static final double M_G = 0.0968888011;
  private static final TestDatabase.Connection DATABASE =
      TestDatabase.createDatabase("sdxl_training");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DATABASE::url);
    registry.add("spring.datasource.username", DATABASE::username);
    registry.add("spring.datasource.password", DATABASE::password);
    registry.add("dti.model.dir", () -> TinySdxlFolder.get().toString());
  }

  @LocalServerPort int port;
  @Autowired TenantService tenants;
  @Autowired TrainingHandler handler;
  @Autowired JobRepository jobRepository;
  @Autowired EmbeddingRepository embeddings;

  private ApiClient api;
  private String key;
  private UUID tenantId;
  private WorkerPool pool;

  @BeforeEach
  void setUp() {
    api = new ApiClient(port);
    var created = tenants.createTenant("sdxl-" + UUID.randomUUID());
    key = created.key().key();
    tenantId = created.tenant().id();
  }

  @AfterEach
  void stopWorkers() {
    if (pool != null) {
      pool.stop();
    }
  }

  @Test
  void aDtiJobOnSdxlLearnsRowsForBothEncodersEachAtItsOwnMAndItsFilesImportBackUnchanged() {
    startWorkers();
    JsonNode created = createConcept("<toy>", 4);
    String conceptId = created.at("/concept/id").asString();

    JsonNode job = awaitSucceeded(created.at("/job/id").asString());

    assertThat(job.at("/history/steps").size()).isEqualTo(4);
    Embedding learned = embeddings.find(tenantId, UUID.fromString(conceptId), null).orElseThrow();
    assertThat(learned.encoders().keySet()).containsExactly(TEXT_ENCODER, TEXT_ENCODER_2);
    assertThat(learned.encoder(TEXT_ENCODER).normM()).isCloseTo(M_L, within(1e-9));
    assertThat(learned.encoder(TEXT_ENCODER_2).normM()).isCloseTo(M_G, within(1e-9));
    for (float[] row : learned.rows(TEXT_ENCODER)) {
      assertThat(row).hasSize(16);
      assertThat(Rows.norm(row)).isCloseTo(M_L, within(1e-6));
    }
    for (float[] row : learned.rows(TEXT_ENCODER_2)) {
      assertThat(row).hasSize(24);
      assertThat(Rows.norm(row)).isCloseTo(M_G, within(1e-6));
    }
    for (String format : List.of("a1111", "kohya", "diffusers")) {
      Response download = api.get("/v1/concepts/" + conceptId + "/embedding?format=" + format, key);
      assertThat(download.status()).as(format + ": " + download.body()).isEqualTo(200);
      String filename = format.equals("diffusers") ? "toy.zip" : "toy.safetensors";
      EmbeddingFile file = EmbeddingFiles.read(download.bytes(), filename);
      assertThat(file.rows(TEXT_ENCODER)).as(format).isDeepEqualTo(learned.rows(TEXT_ENCODER));
      assertThat(file.rows(TEXT_ENCODER_2)).as(format).isDeepEqualTo(learned.rows(TEXT_ENCODER_2));

      Response imported =
          api.postMultipart(
              "/v1/concepts/import",
              key,
              new Multipart()
                  .file("file", filename, "application/octet-stream", download.bytes())
                  .field("token", "<toy-" + format + ">"));
      assertThat(imported.status()).as(imported.body()).isEqualTo(201);
      Embedding back =
          embeddings
              .find(tenantId, UUID.fromString(imported.json().get("id").asString()), null)
              .orElseThrow();
      assertThat(back.rows(TEXT_ENCODER)).as(format).isDeepEqualTo(learned.rows(TEXT_ENCODER));
      assertThat(back.rows(TEXT_ENCODER_2)).as(format).isDeepEqualTo(learned.rows(TEXT_ENCODER_2));
    }
  }

  @Test
  void aConceptLearnedOnSdxlRendersInAPrompt() {
    startWorkers();
    JsonNode created = createConcept("<plush>", 2);
    awaitSucceeded(created.at("/job/id").asString());

    Response generation =
        api.postJson(
            "/v1/generations",
            key,
            """
            {"prompt": "a photo of <plush> on a table", "steps": 2, "seed": 3}
            """);

    assertThat(generation.status()).as(generation.body()).isEqualTo(200);
    String url = generation.json().get("images").get(0).get("url").asString();
    Response image = api.get(url, key);
    assertThat(image.contentType()).isEqualTo("image/png");
    assertThat(image.bytes().length).isPositive();
  }

  private void startWorkers() {
    pool = TestWorkers.start(jobRepository, List.of(handler));
  }

  private JsonNode createConcept(String token, int steps) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Toy")
            .field("token", token)
            .field("initializer", "cat")
            .field("steps", Integer.toString(steps))
            .field("batchSize", "2")
            .field("seed", "7");
    Response response = api.postMultipart("/v1/concepts", key, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response.json();
  }

  private JsonNode awaitSucceeded(String jobId) {
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              JsonNode job = api.get("/v1/jobs/" + jobId, key).json();
              String state = job.get("state").asString();
              assertThat(state)
                  .as("job ended early: %s", job)
                  .isIn("queued", "running", "succeeded");
              return state.equals("succeeded");
            });
    return api.get("/v1/jobs/" + jobId, key).json();
  }
}
