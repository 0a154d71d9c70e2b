package dev.dti.concept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.Multipart;
import dev.dti.support.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Every invalid create request answers a 4xx problem and stores nothing at all. */
class ConceptValidationTest extends ApiTest {

  private static final byte[] PNG = TestImages.png(32, 32);
  private static final byte[] JPEG = TestImages.jpeg(32, 24);

  static Stream<Arguments> invalidForms() {
    return Stream.of(
        invalid("no images", form(0, Map.of()), 400, "images"),
        invalid("one image", form(1, Map.of()), 400, "images"),
        invalid("21 images", form(21, Map.of()), 400, "images"),
        invalid(
            "text bytes named .png",
            form(1, Map.of()).image("fake.png", "hello".getBytes(StandardCharsets.UTF_8)),
            400,
            "images[1] (fake.png)"),
        invalid(
            "PNG whose IDAT fails its CRC",
            form(1, Map.of()).image("crc.png", PhotoFixtures.withDamagedIdat(PNG)),
            400,
            "images[1] (crc.png)"),
        invalid(
            "PNG with 280 KiB of tEXt around 64×64 pixels",
            form(1, Map.of())
                .image(
                    "chatty.png",
                    PhotoFixtures.withChunkAfterIhdr(
                        TestImages.png(64, 64), "tEXt", PhotoFixtures.text("Comment", 280 * 1024))),
            400,
            "images[1] (chatty.png)"),
        invalid(
            "truncated WebP",
            form(1, Map.of())
                .file(
                    "images",
                    "cut.webp",
                    "image/webp",
                    Arrays.copyOf(PhotoFixtures.WEBP_LOSSY, 100)),
            400,
            "images[1] (cut.webp)"),
        invalid(
            "empty file",
            form(1, Map.of()).image("empty.png", new byte[0]),
            400,
            "images[1] (empty.png)"),
        invalid(
            "truncated PNG",
            form(1, Map.of()).image("cut.png", TestImages.truncatedPng()),
            400,
            "images[1] (cut.png)"),
        invalid(
            "truncated JPEG",
            form(1, Map.of()).image("cut.jpg", TestImages.truncatedJpeg()),
            400,
            "images[1] (cut.jpg)"),
        invalid(
            "PNG whose header declares 50000×50000",
            form(1, Map.of()).image("bomb.png", TestImages.pngDeclaring(50_000, 50_000)),
            400,
            "images[1] (bomb.png)"),
        invalid(
            "image over max-pixels-per-side",
            form(1, Map.of()).image("wide.png", TestImages.png(1025, 2)),
            400,
            "images[1] (wide.png)"),
        invalid("missing name", form(2, Map.of("name", "")), 400, "name"),
        invalid("101-char name", form(2, Map.of("name", "n".repeat(101))), 400, "name"),
        invalid("missing token", form(2, Map.of("token", "")), 400, "token"),
        invalid("empty token <>", form(2, Map.of("token", "<>")), 400, "token"),
        invalid("token with spaces", form(2, Map.of("token", "<my rabbit>")), 400, "token"),
        invalid("token without brackets", form(2, Map.of("token", "rabbit")), 400, "token"),
        invalid("upper-case token", form(2, Map.of("token", "<Rabbit>")), 400, "token"),
        invalid(
            "200-char token", form(2, Map.of("token", "<" + "a".repeat(198) + ">")), 400, "token"),
        invalid("missing initializer", form(2, Map.of("initializer", "")), 400, "initializer"),
        invalid(
            "initializer with digits", form(2, Map.of("initializer", "r2d2")), 400, "initializer"),
        invalid(
            "51-char initializer",
            form(2, Map.of("initializer", "a".repeat(51))),
            400,
            "initializer"),
        invalid("unknown method", form(2, Map.of("method", "lora")), 400, "method"),
        invalid("unknown templates", form(2, Map.of("templates", "scene")), 400, "templates"),
        invalid("zero steps", form(2, Map.of("steps", "0")), 400, "steps"),
        invalid("negative steps", form(2, Map.of("steps", "-5")), 400, "steps"),
        invalid("5001 steps", form(2, Map.of("steps", "5001")), 400, "steps"),
        invalid("steps=abc", form(2, Map.of("steps", "abc")), 400, "steps"),
        invalid("fractional steps", form(2, Map.of("steps", "1.5")), 400, "steps"),
        invalid("huge steps", form(2, Map.of("steps", "99999999999999")), 400, "steps"),
        invalid("zero learning rate", form(2, Map.of("learningRate", "0")), 400, "learningRate"),
        invalid(
            "negative learning rate", form(2, Map.of("learningRate", "-0.1")), 400, "learningRate"),
        invalid("NaN learning rate", form(2, Map.of("learningRate", "NaN")), 400, "learningRate"),
        invalid(
            "infinite learning rate",
            form(2, Map.of("learningRate", "Infinity")),
            400,
            "learningRate"),
        invalid(
            "huge learning rate", form(2, Map.of("learningRate", "1e400")), 400, "learningRate"),
        invalid("learning rate above 1", form(2, Map.of("learningRate", "2")), 400, "learningRate"),
        invalid("learningRate=abc", form(2, Map.of("learningRate", "abc")), 400, "learningRate"),
        invalid("negative kappa", form(2, Map.of("kappa", "-1")), 400, "kappa"),
        invalid("NaN kappa", form(2, Map.of("kappa", "NaN")), 400, "kappa"),
        invalid("kappa above 1", form(2, Map.of("kappa", "1.5")), 400, "kappa"),
        invalid("kappa with ti", form(2, Map.of("method", "ti", "kappa", "0.1")), 400, "kappa"),
        invalid("zero batch size", form(2, Map.of("batchSize", "0")), 400, "batchSize"),
        invalid("batch size 17", form(2, Map.of("batchSize", "17")), 400, "batchSize"),
        invalid("zero vectors", form(2, Map.of("numVectors", "0")), 400, "numVectors"),
        invalid("nine vectors", form(2, Map.of("numVectors", "9")), 400, "numVectors"),
        invalid("seed=abc", form(2, Map.of("seed", "abc")), 400, "seed"),
        invalid("scaleLr=maybe", form(2, Map.of("scaleLr", "maybe")), 400, "scaleLr"),
        invalid("one caption for two images", form(2, Map.of("captions", "hi")), 400, "captions"),
        invalid(
            "three captions for two images",
            form(2, Map.of()).field("captions", "a").field("captions", "b").field("captions", "c"),
            400,
            "captions"),
        invalid(
            "201-char caption",
            form(2, Map.of()).field("captions", "a").field("captions", "c".repeat(201)),
            400,
            "captions[1]"),
        invalid(
            "image over max-image-bytes (300 KB in tests)",
            form(1, Map.of()).image("big.png", TestImages.png(400, 400)),
            413,
            null),
        invalid(
            "images over max-total-bytes together (1 MB in tests)",
            form(0, Map.of())
                .image("1.png", TestImages.png(250, 250))
                .image("2.png", TestImages.png(250, 251))
                .image("3.png", TestImages.png(250, 252))
                .image("4.png", TestImages.png(250, 253))
                .image("5.png", TestImages.png(250, 254))
                .image("6.png", TestImages.png(250, 255)),
            413,
            "images"));
  }

  @Test
  void anEmbeddingFileOverTheUploadLimitIsA413ThatSaysToSendOnlyTheTokensRows() {
    TestTenant tenant = newTenant();
    Multipart form =
        new Multipart()
            .file("file", "learned_embeds.bin", "application/octet-stream", new byte[400 * 1024])
            .field("token", "<big>");

    Response response = api.postMultipart("/v1/concepts/import", tenant.key(), form);

    assertThat(response.status()).as(response.body()).isEqualTo(413);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .contains("whole embedding matrix")
        .contains("learned_embeds")
        .contains("only the token's rows");
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidForms")
  void invalidCreateIsAProblemAndStoresNothing(
      String description, Multipart form, int status, String field) {
    TestTenant tenant = newTenant();
    Rows before = rows(tenant);

    Response response =
        api.postMultipart("/v1/concepts", tenant.key(), form, "Idempotency-Key", "k-" + status);

    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    JsonNode problem = response.json();
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("title").asString()).isNotBlank();
    assertThat(problem.get("detail").asString()).isNotBlank();
    if (field != null) {
      assertThat(problem.get("errors").findValuesAsString("field")).contains(field);
    }
    assertThat(rows(tenant)).isEqualTo(before).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  @Test
  void everyInvalidFieldIsReportedAtOnce() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            form(2, Map.of("steps", "0", "kappa", "NaN", "token", "<>", "batchSize", "99")));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo("4 fields are invalid; see errors");
    assertThat(response.json().get("errors").findValuesAsString("field"))
        .containsExactly("token", "steps", "batchSize", "kappa");
  }

  @Test
  void aSingleInvalidFieldIsNamedInTheDetail() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart("/v1/concepts", tenant.key(), form(2, Map.of("steps", "0")));

    assertThat(response.json().get("detail").asString())
        .isEqualTo("steps: must be between 1 and 5000");
    assertThat(response.json().get("errors").toString())
        .isEqualTo("[{\"field\":\"steps\",\"message\":\"must be between 1 and 5000\"}]");
  }

  @Test
  void aWrongTypeIsNamedWithTheExpectedType() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart("/v1/concepts", tenant.key(), form(2, Map.of("steps", "abc")));

    assertThat(response.json().get("detail").asString())
        .isEqualTo("steps: must be a whole number, got 'abc'");
  }

  @Test
  void aLoneCaptionWithACommaStaysOneCaption() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart(
            "/v1/concepts", tenant.key(), form(2, Map.of("captions", "a rabbit, on a sofa")));

    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "captions: there are 1 captions for 2 images; send one caption per image, in the"
                + " same order, or none");
  }

  @Test
  void theHugeDeclaredPngIsRefusedFromItsHeaderWithItsSize() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            form(1, Map.of()).image("bomb.png", TestImages.pngDeclaring(50_000, 50_000)));

    assertThat(response.json().get("errors").get(0).get("message").asString())
        .isEqualTo("is 50000×50000 pixels; at most 1024 pixels per side are accepted");
  }

  @Test
  void aTokenAlreadyUsedByTheTenantIsAConflict() {
    TestTenant tenant = newTenant();
    assertThat(createConcept(tenant, "<mine>").status()).isEqualTo(202);
    Rows before = rows(tenant);

    Response duplicate = createConcept(tenant, "<mine>");

    assertThat(duplicate.status()).isEqualTo(409);
    assertThat(duplicate.contentType()).isEqualTo("application/problem+json");
    assertThat(duplicate.json().get("detail").asString())
        .isEqualTo("A concept with the token <mine> already exists; choose another token.");
    assertThat(rows(tenant)).isEqualTo(before);
    assertThat(createConcept(newTenant(), "<mine>").status())
        .as("tokens are unique per tenant only")
        .isEqualTo(202);
  }

  @Test
  void malformedMultipartIsA400() {
    TestTenant tenant = newTenant();

    Response response =
        api.postRaw(
            "/v1/concepts",
            tenant.key(),
            "multipart/form-data; boundary=xyz",
            "--xyz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nunterminated"
                .getBytes(StandardCharsets.UTF_8));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  @Test
  void aJsonBodyIsAnUnsupportedMediaType() {
    TestTenant tenant = newTenant();

    Response response = api.postJson("/v1/concepts", tenant.key(), "{\"name\":\"x\"}");

    assertThat(response.status()).isEqualTo(415);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
  }

  @Test
  void anInvalidIdempotencyKeyIsA400() {
    TestTenant tenant = newTenant();

    Response response =
        api.postMultipart(
            "/v1/concepts", tenant.key(), validConcept("<k>"), "Idempotency-Key", "has space");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("errors").get(0).get("field").asString())
        .isEqualTo("Idempotency-Key");
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  private static Arguments invalid(String description, Multipart form, int status, String field) {
    return Arguments.of(description, form, status, field);
  }

  /** {@code images} valid images and the required fields, with fields overridden or added. */
  private static Multipart form(int images, Map<String, String> overrides) {
    var form = new Multipart();
    for (int i = 0; i < images; i++) {
      form.image(i % 2 == 0 ? "img" + i + ".png" : "img" + i + ".jpg", i % 2 == 0 ? PNG : JPEG);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", "Rabbit plush");
    fields.put("token", "<rabbit>");
    fields.put("initializer", "rabbit");
    fields.putAll(overrides);
    List<String> names = new ArrayList<>(fields.keySet());
    names.forEach(name -> form.field(name, fields.get(name)));
    return form;
  }
}
