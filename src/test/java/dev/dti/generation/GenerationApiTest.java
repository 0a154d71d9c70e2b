package dev.dti.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dti.blob.BlobStore;
import dev.dti.security.LimitOverrides;
import dev.dti.security.TenantLimitsService;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest.TestTenant;
import dev.dti.support.TestImages;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class GenerationApiTest extends GenerationTestBase {

  @Autowired TenantLimitsService limits;
  @Autowired GeneratedImageCleaner cleaner;
  @Autowired GenerationRepository repository;
  @Autowired BlobStore blobs;

  static int[] pixels(byte[] png) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theSameRequestTwiceGivesIdenticalPngBytesAndAnotherSeedOtherPixels() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<my-rabbit>", 2, 1, 0.4);
    String request =
        """
        {"prompt": "a <my-rabbit> wearing a spacesuit", "steps": 3, "seed": 42}
        """;

    Response first = generate(tenant, request);
    Response second = generate(tenant, request);
    Response otherSeed =
        generate(
            tenant,
            "{\"prompt\": \"a <my-rabbit> wearing a spacesuit\", \"steps\": 3, \"seed\": 43}");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("state").asString()).isEqualTo("succeeded");
    assertThat(first.json().get("width").asInt()).isEqualTo(32);
    assertThat(first.json().get("height").asInt()).isEqualTo(32);
    assertThat(first.json().get("guidanceScale").asDouble()).isEqualTo(7.5);
    assertThat(first.json().get("concepts").get(0).get("token").asString())
        .isEqualTo("<my-rabbit>");
    assertThat(Arrays.equals(imageBytes(tenant, second, 0), imageBytes(tenant, first, 0))).isTrue();
    assertThat(pixels(imageBytes(tenant, otherSeed, 0)))
        .isNotEqualTo(pixels(imageBytes(tenant, first, 0)));
  }

  @Test
  void aRandomSeedIsChosenAndReturnedBelow2To53() {
    TestTenant tenant = newTenant();

    Response response = generate(tenant, "{\"prompt\": \"a red house\", \"steps\": 1}");

    assertThat(response.status()).isEqualTo(200);
    long seed = response.json().get("seed").asLong();
    assertThat(seed).isBetween(0L, (1L << 53) - 1);
    assertThat(response.json().get("images").get(0).get("seed").asLong()).isEqualTo(seed);
  }

  @Test
  void imageIUsesSeedPlusI() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<cup>", 1, 2, 0.4);

    Response two =
        generate(tenant, "{\"prompt\": \"a <cup>\", \"steps\": 2, \"seed\": 7, \"numImages\": 2}");
    Response next = generate(tenant, "{\"prompt\": \"a <cup>\", \"steps\": 2, \"seed\": 8}");

    assertThat(two.status()).isEqualTo(200);
    assertThat(two.json().get("images").get(1).get("seed").asLong()).isEqualTo(8);
    assertThat(pixels(imageBytes(tenant, two, 1))).isEqualTo(pixels(imageBytes(tenant, next, 0)));
  }

  @Test
  void theImageIsAPngWithItsMetadataInTextChunksAndInTheJson() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<mug>", 1, 3, 0.4);

    Response response =
        generate(
            tenant,
            """
            {"prompt": "a <mug> on a table", "negativePrompt": "blurry", "steps": 2,
             "guidanceScale": 5, "seed": 99, "width": 24, "height": 16}
            """);
    JsonNode image = response.json().get("images").get(0);
    Response png = api.get(image.get("url").asString(), tenant.key());

    assertThat(png.status()).isEqualTo(200);
    assertThat(png.contentType()).isEqualTo("image/png");
    Map<String, String> text = PngText.read(png.bytes());
    assertThat(text)
        .containsEntry("prompt", "a <mug> on a table")
        .containsEntry("negative_prompt", "blurry")
        .containsEntry("seed", "99")
        .containsEntry("steps", "2")
        .containsEntry("guidance_scale", "5")
        .containsEntry("width", "24")
        .containsEntry("height", "16")
        .containsEntry("scheduler", "ddim")
        .containsEntry("concept_tokens", "<mug>")
        .containsEntry("model_id", model().id())
        .containsKeys("concept_ids", "parameters", "model_name");
    assertThat(text.get("concept_ids"))
        .isEqualTo(response.json().get("concepts").get(0).get("id").asString());
    image
        .get("metadata")
        .properties()
        .forEach(e -> assertThat(text).containsEntry(e.getKey(), e.getValue().asString()));
    assertThat(pixels(png.bytes())).hasSize(24 * 16);
  }

  @Test
  void theEulerSchedulerSamplesOtherPixelsAndThePngNamesIt() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<kettle>", 1, 9, 0.4);

    Response euler =
        generate(
            tenant,
            "{\"prompt\": \"a <kettle>\", \"steps\": 2, \"seed\": 3, \"scheduler\": \"euler\"}");
    Response ddim = generate(tenant, "{\"prompt\": \"a <kettle>\", \"steps\": 2, \"seed\": 3}");

    assertThat(euler.status()).isEqualTo(200);
    assertThat(euler.json().get("state").asString()).isEqualTo("succeeded");
    Map<String, String> text = PngText.read(imageBytes(tenant, euler, 0));
    assertThat(text).containsEntry("scheduler", "euler");
    assertThat(text.get("parameters")).contains("Steps: 2, Sampler: Euler, CFG scale: 7.5");
    assertThat(PngText.read(imageBytes(tenant, ddim, 0)).get("parameters"))
        .contains("Sampler: DDIM");
    assertThat(pixels(imageBytes(tenant, euler, 0)))
        .isNotEqualTo(pixels(imageBytes(tenant, ddim, 0)));
  }

  @Test
  void anUnknownSchedulerIsA400ListingTheAcceptedNames() {
    TestTenant tenant = newTenant();

    Response response =
        generate(tenant, "{\"prompt\": \"a red house\", \"steps\": 1, \"scheduler\": \"plms\"}");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo("scheduler: must be one of ddim, euler, got plms");
    assertThat(count("generations", tenant)).isZero();
  }

  @Test
  void twoConceptsComposeInOnePrompt() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<rabbit>", 2, 4, 0.4);
    learnedConcept(tenant, "<hat>", 1, 5, 0.4);

    Response both =
        generate(tenant, "{\"prompt\": \"a <rabbit> in a <hat>\", \"steps\": 2, \"seed\": 1}");
    Response one =
        generate(tenant, "{\"prompt\": \"a <rabbit> in a hat\", \"steps\": 2, \"seed\": 1}");

    assertThat(both.status()).isEqualTo(200);
    assertThat(both.json().get("concepts").size()).isEqualTo(2);
    assertThat(both.json().get("images").get(0).get("metadata").get("concept_tokens").asString())
        .isEqualTo("<rabbit>,<hat>");
    assertThat(pixels(imageBytes(tenant, both, 0)))
        .isNotEqualTo(pixels(imageBytes(tenant, one, 0)));
  }

  @Test
  void anUnknownTokenOrAnotherTenantsIsA404NamingItAndStoresNothing() {
    TestTenant tenant = newTenant();
    TestTenant other = newTenant();
    learnedConcept(other, "<theirs>", 1, 6, 0.4);

    Response unknown = generate(tenant, "{\"prompt\": \"a <nobody> here\", \"steps\": 1}");
    Response foreign = generate(tenant, "{\"prompt\": \"a <theirs> here\", \"steps\": 1}");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.contentType()).isEqualTo("application/problem+json");
    assertThat(unknown.json().get("detail").asString())
        .isEqualTo("There is no concept with the token <nobody>.");
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(foreign.json().get("detail").asString()).contains("<theirs>");
    assertThat(count("generations", tenant)).isZero();
    assertThat(count("blobs", tenant)).isZero();
  }

  @Test
  void aConceptWithoutALearnedEmbeddingIsA409() {
    TestTenant tenant = newTenant();
    concept(tenant, "<untrained>", "dti");

    Response response = generate(tenant, "{\"prompt\": \"a <untrained>\", \"steps\": 1}");

    assertThat(response.status()).isEqualTo(409);
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "The concept <untrained> has no learned embedding yet; wait until its training job has"
                + " saved one.");
    assertThat(count("generations", tenant)).isZero();
  }

  @Test
  void invalidFieldsAreA400ListingEachAndStoreNothing() {
    TestTenant tenant = newTenant();

    Response response =
        generate(
            tenant,
            """
            {"prompt": " ", "steps": 0, "guidanceScale": -1, "width": 30, "height": 512,
             "numImages": 5, "scheduler": "plms", "eta": 2, "seed": -1}
            """);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("errors").toString())
        .contains("\"field\":\"prompt\",\"message\":\"is required\"")
        .contains("\"field\":\"steps\",\"message\":\"must be between 1 and 150\"")
        .contains("\"field\":\"guidanceScale\",\"message\":\"must be between 0 and 30\"")
        .contains(
            "\"field\":\"width\",\"message\":\"must be a multiple of 8 between 8 and 64 for this"
                + " model (default 32), got 30\"")
        .contains("\"field\":\"height\"")
        .contains("\"field\":\"numImages\",\"message\":\"must be between 1 and 4\"")
        .contains("\"field\":\"scheduler\"")
        .contains("\"field\":\"eta\"")
        .contains("\"field\":\"seed\"");
    assertThat(generate(tenant, "{\"prompt\": \"x\", \"steps\": 151}").status()).isEqualTo(400);
    assertThat(generate(tenant, "{\"prompt\": \"x\", \"steps\": \"many\"}").status())
        .isEqualTo(400);
    assertThat(count("generations", tenant)).isZero();
    assertThat(count("blobs", tenant)).isZero();
    assertThat(count("jobs", tenant)).isZero();
  }

  @Test
  void aTenantOverItsGenerationRateLimitGetsA429WithRetryAfterAndIsServedAgainLater() {
    TestTenant tenant = newTenant();
    limits.replace(
        tenant.id(), new LimitOverrides(null, null, 1, 2, null, null, null)); // 1 per 2 s

    Response first = generate(tenant, "{\"prompt\": \"a cat\", \"steps\": 1}");
    Response tooSoon = generate(tenant, "{\"prompt\": \"a cat\", \"steps\": 1}");

    assertThat(first.status()).isEqualTo(200);
    assertThat(tooSoon.status()).isEqualTo(429);
    assertThat(tooSoon.header("Retry-After")).isIn("1", "2");
    assertThat(tooSoon.contentType()).isEqualTo("application/problem+json");
    assertThat(tooSoon.json().get("detail").asString())
        .startsWith(
            "This tenant may make at most 1 generation request (generations and interpolations)"
                + " per 2 seconds; try again in ");
    assertThat(count("generations", tenant)).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> generate(tenant, "{\"prompt\": \"a cat\", \"steps\": 1}").status() == 200);
    assertThat(count("generations", tenant)).isEqualTo(2);
  }

  @Test
  void aLargeRequestBecomesAGenerationJobWhoseImagesAppearLater() throws Exception {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<big>", 1, 8, 0.4);
    // 5 steps × 2 images at the model's resolution = 10 UNet evaluations > the budget of 8.
    String request = "{\"prompt\": \"a <big>\", \"steps\": 5, \"seed\": 5, \"numImages\": 2}";

    Response accepted = generate(tenant, request);

    assertThat(accepted.status()).isEqualTo(202);
    String location = accepted.header("Location");
    assertThat(location).startsWith("/v1/generations/");
    assertThat(accepted.json().get("job").get("kind").asString()).isEqualTo("generation");
    JsonNode done = awaitSucceeded(tenant, location);
    assertThat(done.get("images").size()).isEqualTo(2);
    assertThat(done.get("job").get("progress").asDouble()).isEqualTo(1.0);
    // The job renders exactly what a synchronous request with the same inputs renders.
    Response sync = generate(tenant, "{\"prompt\": \"a <big>\", \"steps\": 5, \"seed\": 6}");
    assertThat(
            pixels(api.get(done.get("images").get(1).get("url").asString(), tenant.key()).bytes()))
        .isEqualTo(pixels(imageBytes(tenant, sync, 0)));
  }

  JsonNode awaitSucceeded(TestTenant tenant, String location) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      JsonNode generation = api.get(location, tenant.key()).json();
      String state = generation.get("state").asString();
      if (state.equals("succeeded")) {
        return generation;
      }
      assertThat(state).isIn("queued", "running");
      Thread.sleep(100);
    }
    throw new AssertionError(location + " did not succeed in time");
  }

  @Test
  void anIdempotencyKeyReplaysTheFirstAnswer() {
    TestTenant tenant = newTenant();
    String request = "{\"prompt\": \"a dog\", \"steps\": 1}";

    Response first =
        api.postRaw(
            "/v1/generations",
            tenant.key(),
            "application/json",
            request.getBytes(),
            "Idempotency-Key",
            "k-1");
    Response replay =
        api.postRaw(
            "/v1/generations",
            tenant.key(),
            "application/json",
            "{\"steps\": 1,   \"prompt\": \"a dog\"}".getBytes(),
            "Idempotency-Key",
            "k-1");
    Response conflict =
        api.postRaw(
            "/v1/generations",
            tenant.key(),
            "application/json",
            "{\"prompt\": \"a cow\", \"steps\": 1}".getBytes(),
            "Idempotency-Key",
            "k-1");

    assertThat(first.status()).isEqualTo(200);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(replay.json().get("seed")).isEqualTo(first.json().get("seed"));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(count("generations", tenant)).isEqualTo(1);
  }

  @Test
  void expiredGenerationsAnswer404AndTheCleanerRemovesThemWithTheirBlobs() {
    TestTenant tenant = newTenant();
    Response response = generate(tenant, "{\"prompt\": \"a boat\", \"steps\": 1}");
    String id = response.json().get("id").asString();
    Instant created = Instant.parse(response.json().get("createdAt").asString());
    Instant expires = Instant.parse(response.json().get("expiresAt").asString());
    String imageUrl = response.json().get("images").get(0).get("url").asString();
    assertThat(Duration.between(created, expires)).isEqualTo(Duration.ofHours(2));
    assertThat(count("blobs", tenant)).isEqualTo(1);

    // Two hours later, as far as the database can tell:
    jdbc.sql("UPDATE generations SET expires_at = now() - interval '1 second' WHERE id = :id")
        .param("id", UUID.fromString(id))
        .update();

    assertThat(api.get(imageUrl, tenant.key()).status()).isEqualTo(404);
    assertThat(api.get("/v1/generations/" + id, tenant.key()).status()).isEqualTo(404);
    assertThat(cleaner.removeExpired()).isGreaterThanOrEqualTo(1);
    assertThat(count("generations", tenant)).isZero();
    assertThat(count("generated_images", tenant)).isZero();
    assertThat(count("blobs", tenant)).isZero();
  }

  @Test
  void withAShortRetentionTheCleanerRemovesResultsOnceTheyExpire() throws Exception {
    TestTenant tenant = newTenant();
    UUID id = UUID.randomUUID();
    repository.insert(
        id, tenant.id(), "generation", "{}", model().id(), null, Duration.ofSeconds(1));
    var blob = blobs.put(tenant.id(), "image/png", TestImages.png(8, 8));
    repository.insertImage(UUID.randomUUID(), id, tenant.id(), 0, blob.id(), 1, 8, 8, "{}");

    int beforeExpiry = cleaner.removeExpired();
    long keptRows = count("generated_images", tenant);
    Thread.sleep(1500);
    cleaner.removeExpired();

    assertThat(keptRows).isEqualTo(1);
    assertThat(beforeExpiry).isZero();
    assertThat(count("generations", tenant)).isZero();
    assertThat(count("generated_images", tenant)).isZero();
    assertThat(count("blobs", tenant)).isZero();
  }

  @Test
  void anotherTenantCannotSeeAGenerationOrItsImages() {
    TestTenant tenant = newTenant();
    TestTenant other = newTenant();
    Response response = generate(tenant, "{\"prompt\": \"a tree\", \"steps\": 1}");

    assertThat(
            api.get("/v1/generations/" + response.json().get("id").asString(), other.key())
                .status())
        .isEqualTo(404);
    assertThat(
            api.get(response.json().get("images").get(0).get("url").asString(), other.key())
                .status())
        .isEqualTo(404);
  }
}
