package dev.dti.generation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.TrainingMethod;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest.TestTenant;
import dev.dti.support.Golden;
import dev.dti.support.TestDatabase;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The generation API on the tiny SDXL folder (golden sdxl_pipeline_tiny, 32×32): Euler by default,
 * an absent negative prompt conditioned on zeros, concept rows for both text encoders. Each image
 * equals {@link TextToImage} on the same model (interpolation: SdxlInterpolationApiTest).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "dti.roles=api") // every request here renders synchronously: no workers
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SdxlGenerationApiTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TenantService tenantService;
  @Autowired EmbeddingRepository embeddings;
  @Autowired ModelRegistry models;
  ApiClient api;

  /** A database of its own: this context's workers must not take the other contexts' jobs. */
  private static final TestDatabase.Connection DATABASE =
      TestDatabase.createDatabase("sdxl_generation");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DATABASE::url);
    registry.add("spring.datasource.username", DATABASE::username);
    registry.add("spring.datasource.password", DATABASE::password);
    registry.add("dti.model.dir", () -> Golden.dir("sdxl_pipeline_tiny").toString());
    registry.add("dti.generation.sync-budget", () -> 8);
  }

  @BeforeEach
  void apiClient() {
    api = new ApiClient(port);
  }

  @Test
  void aGenerationWithoutNegativePromptOrSchedulerIsEulerWithZerosAsTextToImageRendersIt() {
    TestTenant tenant = newTenant();

    Response response =
        generate(tenant, "{\"prompt\": \"a photo of a cat\", \"steps\": 2, \"seed\": 5}");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().get("scheduler").asString()).isEqualTo("euler");
    assertThat(response.json().has("negativePrompt")).isFalse(); // absent, not ""
    BufferedImage expected =
        TextToImage.generate(model(), "a photo of a cat", null, settings(5, null));
    assertThat(GenerationApiTest.pixels(imageBytes(tenant, response))).isEqualTo(pixels(expected));

    Response explicitEmpty =
        generate(
            tenant,
            "{\"prompt\": \"a photo of a cat\", \"negativePrompt\": \"\", \"steps\": 2,"
                + " \"seed\": 5, \"scheduler\": \"ddim\"}");
    assertThat(explicitEmpty.json().get("negativePrompt").asString()).isEmpty();
    assertThat(GenerationApiTest.pixels(imageBytes(tenant, explicitEmpty)))
        .isEqualTo(
            pixels(
                TextToImage.generate(
                    model(), "a photo of a cat", "", settings(5, SchedulerType.DDIM))));
  }

  @Test
  void aConceptWithRowsForBothEncodersRendersAsTextToImageWithThoseRows() throws Exception {
    TestTenant tenant = newTenant();
    float[][] clipL;
    float[][] clipG;
    try (var manager = ai.djl.ndarray.NDManager.newBaseManager();
        var reference =
            SafetensorsFile.open(
                Golden.dir("sdxl_pipeline_tiny").resolve("reference.safetensors"))) {
      clipL = new float[][] {reference.load(manager, "ti_clip_l").toFloatArray()};
      clipG = new float[][] {reference.load(manager, "ti_clip_g").toFloatArray()};
    }
    UUID conceptId = concept(tenant, "<cat-toy>");
    embeddings.save(
        null,
        Embedding.builder(conceptId, tenant.id())
            .step(100)
            .isFinal(true)
            .encoder(StableDiffusionModel.TEXT_ENCODER, clipL, 0.0788744148)
            .encoder(StableDiffusionModel.TEXT_ENCODER_2, clipG, 0.0968888011)
            .method(TrainingMethod.DTI)
            .baseModelId(model().id())
            .loss(0.1)
            .build());

    Response response =
        generate(tenant, "{\"prompt\": \"a photo of <cat-toy>\", \"steps\": 2, \"seed\": 9}");

    assertThat(response.status()).isEqualTo(200);
    BufferedImage expected =
        TextToImage.generate(
            model(),
            Map.of(
                "<cat-toy>",
                Map.of(
                    StableDiffusionModel.TEXT_ENCODER,
                    clipL,
                    StableDiffusionModel.TEXT_ENCODER_2,
                    clipG)),
            "a photo of <cat-toy>",
            null,
            settings(9, null));
    assertThat(GenerationApiTest.pixels(imageBytes(tenant, response))).isEqualTo(pixels(expected));
  }

  private StableDiffusionModel model() {
    return models.get("cpu");
  }

  private static GenerationSettings settings(long seed, SchedulerType scheduler) {
    return new GenerationSettings(32, 32, 2, 7.5, 0, seed, scheduler);
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  private TestTenant newTenant() {
    CreatedTenant created = tenantService.createTenant("sdxl-" + UUID.randomUUID());
    return new TestTenant(created.tenant().id(), created.key().key(), created.key().id());
  }

  private UUID concept(TestTenant tenant, String token) {
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

  private Response generate(TestTenant tenant, String json) {
    return api.postJson("/v1/generations", tenant.key(), json);
  }

  private byte[] imageBytes(TestTenant tenant, Response generation) {
    String url = generation.json().get("images").get(0).get("url").asString();
    return api.get(url, tenant.key()).bytes();
  }
}
