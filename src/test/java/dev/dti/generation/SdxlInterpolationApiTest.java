package dev.dti.generation;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest.TestTenant;
import dev.dti.support.TestDatabase;
import dev.dti.support.TinySdxlFolder;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Interpolation between SDXL concepts, on the tiny SDXL golden pipeline (its own Spring context:
 * {@link GenerationTestBase}'s serves the tiny SD model).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SdxlInterpolationApiTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TenantService tenantService;
  @Autowired EmbeddingRepository embeddings;
  @Autowired ModelRegistry models;
  ApiClient api;

  @BeforeEach
  void apiClient() {
    api = new ApiClient(port);
  }

  /** The tiny SDXL pipeline's m per encoder (its README): m_l and m_g. */
  static final double M_L = 0.0788744148;

  static final double M_G = 0.0968888011;

  @DynamicPropertySource
  static void sdxlModel(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestDatabase.get().url());
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", () -> TinySdxlFolder.get().toString());
    registry.add("dti.generation.sync-budget", () -> 8);
    // API only: this context renders synchronously and must not claim the jobs of the other
    // generation tests' context, which shares the database.
    registry.add("dti.roles", () -> "api");
  }

  StableDiffusionModel model() {
    return models.get("cpu");
  }

  TestTenant newTenant() {
    CreatedTenant created = tenantService.createTenant("sdxl-" + UUID.randomUUID());
    return new TestTenant(created.tenant().id(), created.key().key(), created.key().id());
  }

  UUID concept(TestTenant tenant, String token) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO concepts (id, tenant_id, name, token, initializer, method, templates,
                                  hyperparameters)
            VALUES (:id, :t, :name, :token, 'cat', 'dti', 'object', '{}'::jsonb)
            """)
        .param("id", id)
        .param("t", tenant.id())
        .param("name", "concept " + token)
        .param("token", token)
        .update();
    return id;
  }

  static float[][] rows(long seed, int d, double norm) {
    Random random = new Random(seed);
    float[][] rows = new float[1][d];
    double sum = 0;
    for (int i = 0; i < d; i++) {
      rows[0][i] = (float) random.nextGaussian();
      sum += rows[0][i] * rows[0][i];
    }
    for (int i = 0; i < d; i++) {
      rows[0][i] = (float) (rows[0][i] * norm / Math.sqrt(sum));
    }
    return rows;
  }

  /** An SDXL DTI concept: one row per encoder at that encoder's m. */
  Embedding sdxlConcept(TestTenant tenant, String token, long seed) {
    UUID conceptId = concept(tenant, token);
    Embedding embedding =
        Embedding.builder(conceptId, tenant.id())
            .step(400)
            .isFinal(true)
            .encoder(TEXT_ENCODER, rows(seed, 16, M_L), M_L)
            .encoder(TEXT_ENCODER_2, rows(seed + 1, 24, M_G), M_G)
            .method(TrainingMethod.DTI)
            .baseModelId(model().id())
            .loss(0.1)
            .build();
    embeddings.save(null, embedding);
    return embedding;
  }

  @Test
  void anInterpolationBetweenSdxlConceptsRendersAndItsPointsHaveBothEncodersRowsAtTheirM() {
    assertThat(model().isXL()).isTrue();
    TestTenant tenant = newTenant();
    Embedding left = sdxlConcept(tenant, "<left>", 21);
    sdxlConcept(tenant, "<right>", 23);

    Response response =
        api.postJson(
            "/v1/interpolations",
            tenant.key(),
            """
            {"concepts": ["<left>", "<right>"], "t": [0, 0.5, 1],
             "promptTemplate": "a photo of {}", "steps": 1, "seed": 5}
            """);

    assertThat(response.status()).as(response.body()).isEqualTo(200);
    JsonNode body = response.json();
    assertThat(body.get("images").size()).isEqualTo(3);
    String id = body.get("id").asString();
    Response start =
        api.get("/v1/interpolations/" + id + "/embeddings/0?format=a1111", tenant.key());
    Response middle =
        api.get("/v1/interpolations/" + id + "/embeddings/1?format=diffusers", tenant.key());

    EmbeddingFile first = EmbeddingFiles.read(start.bytes(), "left-right-0.safetensors");
    assertThat(first.rows(TEXT_ENCODER)).isDeepEqualTo(left.rows(TEXT_ENCODER));
    assertThat(first.rows(TEXT_ENCODER_2)).isDeepEqualTo(left.rows(TEXT_ENCODER_2));
    assertThat(middle.contentType()).startsWith("application/zip");
    assertThat(middle.header("Content-Disposition")).contains("left-right-1.zip");
    EmbeddingFile mid = EmbeddingFiles.read(middle.bytes(), "left-right-1.zip");
    assertThat(Rows.norm(mid.rows(TEXT_ENCODER)[0])).isCloseTo(M_L, within(1e-7));
    assertThat(Rows.norm(mid.rows(TEXT_ENCODER_2)[0])).isCloseTo(M_G, within(1e-7));
  }
}
