package dev.dti.generation;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.TrainingMethod;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest.TestTenant;
import dev.dti.support.TestDatabase;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One Spring context for every generation test (not {@code ApiTest}'s, which has no model): the
 * tiny random-weight model (CLIP width 32, resolution 32×32, sizes in steps of 8), a synchronous
 * budget of 8 UNet evaluations and a fast worker poll for the asynchronous ones. Concepts and their
 * embeddings are inserted directly as fixtures.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class GenerationTestBase {

  static final double SYNC_BUDGET = 8;
  private static Path modelDir;

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TenantService tenantService;
  ApiClient api;

  @BeforeEach
  void apiClient() {
    api = new ApiClient(port);
  }

  TestTenant newTenant() {
    CreatedTenant created = tenantService.createTenant("generation-" + UUID.randomUUID());
    return new TestTenant(created.tenant().id(), created.key().key(), created.key().id());
  }

  @Autowired EmbeddingRepository embeddings;
  @Autowired ModelRegistry models;

  @DynamicPropertySource
  static void generationProperties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestDatabase.get().url());
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", () -> tinyModel().toString());
    registry.add("dti.generation.sync-budget", () -> SYNC_BUDGET);
    registry.add("dti.generation.retention", () -> "2h");
    registry.add("dti.worker.poll-interval", () -> "100ms");
  }

  static synchronized Path tinyModel() {
    if (modelDir == null) {
      try {
        modelDir = TinyModelFolder.create(Files.createTempDirectory("dti-tiny-sd"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return modelDir;
  }

  StableDiffusionModel model() {
    return models.get("cpu");
  }

  /** A concept row of the tenant, without any embedding yet. */
  UUID concept(TestTenant tenant, String token, String method) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO concepts (id, tenant_id, name, token, initializer, method, templates,
                                  hyperparameters)
            VALUES (:id, :t, :name, :token, 'rabbit', :method, 'object', '{}'::jsonb)
            """)
        .param("id", id)
        .param("t", tenant.id())
        .param("name", "concept " + token)
        .param("token", token)
        .param("method", method)
        .update();
    return id;
  }

  /** A concept with a final embedding of n random rows, each of norm {@code norm}. */
  float[][] learnedConcept(TestTenant tenant, String token, int vectors, long seed, double norm) {
    UUID conceptId = concept(tenant, token, "dti");
    float[][] rows = rows(vectors, seed, norm);
    embeddings.save(
        null,
        Embedding.builder(conceptId, tenant.id())
            .step(100)
            .isFinal(true)
            .encoder(Embedding.TEXT_ENCODER, rows, norm)
            .method(TrainingMethod.DTI)
            .baseModelId(model().id())
            .loss(0.1)
            .build());
    return rows;
  }

  static float[][] rows(int vectors, long seed, double norm) {
    Random random = new Random(seed);
    float[][] rows = new float[vectors][32];
    for (float[] row : rows) {
      double sum = 0;
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) random.nextGaussian();
        sum += row[i] * row[i];
      }
      for (int i = 0; i < row.length; i++) {
        row[i] = (float) (row[i] * norm / Math.sqrt(sum));
      }
    }
    return rows;
  }

  Response generate(TestTenant tenant, String json) {
    return api.postJson("/v1/generations", tenant.key(), json);
  }

  byte[] imageBytes(TestTenant tenant, Response generation, int index) {
    String url = generation.json().get("images").get(index).get("url").asString();
    return api.get(url, tenant.key()).bytes();
  }

  long count(String table, TestTenant tenant) {
    return jdbc.sql("SELECT count(*) FROM " + table + " WHERE tenant_id = :t")
        .param("t", tenant.id())
        .query(Long.class)
        .single();
  }
}
