package dev.dti.generation;

import static dev.dti.generation.GenerationApiTest.pixels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.dti.embedding.Embedding;
import dev.dti.embedding.Rows;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest.TestTenant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class InterpolationApiTest extends GenerationTestBase {

  static final double M = 0.4;

  Response interpolate(TestTenant tenant, String json) {
    return api.postJson("/v1/interpolations", tenant.key(), json);
  }

  byte[] imageOf(TestTenant tenant, JsonNode generation, int index) {
    return api.get(generation.get("images").get(index).get("url").asString(), tenant.key()).bytes();
  }

  @Test
  void theEndpointsRenderExactlyWhatTheConceptsRenderWithTheSameSeed() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<rabbit>", 2, 11, M);
    learnedConcept(tenant, "<cat>", 2, 12, M);

    Response response =
        interpolate(
            tenant,
            """
            {"concepts": ["<rabbit>", "<cat>"], "t": [0, 0.5, 1],
             "promptTemplate": "a photo of {} on a beach", "steps": 2, "seed": 77}
            """);
    Response rabbit =
        api.postJson(
            "/v1/generations",
            tenant.key(),
            "{\"prompt\": \"a photo of <rabbit> on a beach\", \"steps\": 2, \"seed\": 77}");
    Response cat =
        api.postJson(
            "/v1/generations",
            tenant.key(),
            "{\"prompt\": \"a photo of <cat> on a beach\", \"steps\": 2, \"seed\": 77}");

    assertThat(response.status()).isEqualTo(200);
    JsonNode body = response.json();
    assertThat(body.get("kind").asString()).isEqualTo("interpolation");
    assertThat(body.get("points").size()).isEqualTo(3);
    assertThat(body.get("images").size()).isEqualTo(3);
    assertThat(pixels(imageOf(tenant, body, 0)))
        .isEqualTo(pixels(imageOf(tenant, rabbit.json(), 0)));
    assertThat(pixels(imageOf(tenant, body, 2))).isEqualTo(pixels(imageOf(tenant, cat.json(), 0)));
    assertThat(pixels(imageOf(tenant, body, 1))).isNotEqualTo(pixels(imageOf(tenant, body, 0)));
    var text = PngText.read(imageOf(tenant, body, 1));
    assertThat(text)
        .containsEntry("t", "0.5")
        .containsEntry("seed", "77")
        .containsEntry("prompt", "a photo of {} on a beach")
        .containsEntry("interpolated_concept_tokens", "<rabbit>,<cat>");
  }

  @Test
  void theInterpolatedEmbeddingsDownloadInEveryFormatWithNormMAndExactEndpoints() {
    TestTenant tenant = newTenant();
    float[][] a = learnedConcept(tenant, "<left>", 2, 13, M);
    learnedConcept(tenant, "<right>", 2, 14, M);
    JsonNode body =
        interpolate(
                tenant,
                """
                {"concepts": ["<left>", "<right>"], "t": [0, 0.3],
                 "promptTemplate": "a {concept}", "steps": 1, "seed": 1}
                """)
            .json();
    String id = body.get("id").asString();

    Response start =
        api.get("/v1/interpolations/" + id + "/embeddings/0?format=diffusers", tenant.key());
    Response middle =
        api.get(body.get("points").get(1).get("embeddings").get("a1111").asString(), tenant.key());
    Response kohya =
        api.get("/v1/interpolations/" + id + "/embeddings/1?format=kohya", tenant.key());

    assertThat(start.status()).isEqualTo(200);
    assertThat(start.header("Content-Disposition")).contains("left-right-0.safetensors");
    EmbeddingFile first = EmbeddingFiles.read(start.bytes(), null);
    assertThat(first.token()).isEqualTo("<left-right-0>");
    assertThat(first.rows()[0]).containsExactly(a[0]);
    assertThat(first.rows()[1]).containsExactly(a[1]);
    EmbeddingFile mid = EmbeddingFiles.read(middle.bytes(), "left-right-1.safetensors");
    assertThat(mid.vectors()).isEqualTo(2);
    for (float[] row : mid.rows()) {
      assertThat(Rows.norm(row)).isCloseTo(M, within(1e-5));
    }
    assertThat(mid.metadata())
        .containsEntry("dti.interpolation.t", "0.3")
        .containsEntry("dti.method", "dti");
    assertThat(EmbeddingFiles.read(kohya.bytes(), null).rows()[0]).containsExactly(mid.rows()[0]);
    assertThat(api.get("/v1/interpolations/" + id + "/embeddings/2", tenant.key()).status())
        .isEqualTo(404);
    assertThat(
            api.get("/v1/interpolations/" + id + "/embeddings/0?format=zip", tenant.key()).status())
        .isEqualTo(400);
  }

  @Test
  void severalConceptsWithWeightsUseTheWeightedSphericalMean() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<one>", 1, 15, M);
    learnedConcept(tenant, "<two>", 1, 16, M);
    learnedConcept(tenant, "<three>", 1, 17, M);

    Response response =
        interpolate(
            tenant,
            """
            {"concepts": ["<one>", "<two>", "<three>"], "weights": [[1, 1, 1], [0, 0, 2]],
             "promptTemplate": "a {}", "steps": 1, "seed": 3}
            """);

    assertThat(response.status()).isEqualTo(200);
    String id = response.json().get("id").asString();
    EmbeddingFile mean =
        EmbeddingFiles.read(
            api.get("/v1/interpolations/" + id + "/embeddings/0", tenant.key()).bytes(), null);
    EmbeddingFile third =
        EmbeddingFiles.read(
            api.get("/v1/interpolations/" + id + "/embeddings/1", tenant.key()).bytes(), null);
    assertThat(Rows.norm(mean.rows()[0])).isCloseTo(M, within(1e-5));
    assertThat(response.json().get("points").get(0).get("weights").toString())
        .isEqualTo("[1.0,1.0,1.0]");
    assertThat(third.rows()[0]).containsExactly(rows(1, 17, M)[0]);
  }

  @Test
  void tiConceptsInterpolateTheirNormsLinearly() {
    TestTenant tenant = newTenant();
    tiConcept(tenant, "<small>", 21, 0.2);
    tiConcept(tenant, "<large>", 22, 1.0);

    JsonNode body =
        interpolate(
                tenant,
                """
                {"concepts": ["<small>", "<large>"], "t": [0.25], "promptTemplate": "a {}",
                 "steps": 1, "seed": 3}
                """)
            .json();
    EmbeddingFile file =
        EmbeddingFiles.read(
            api.get(
                    "/v1/interpolations/" + body.get("id").asString() + "/embeddings/0",
                    tenant.key())
                .bytes(),
            null);

    assertThat(body.get("interpolationMagnitude").asString()).isEqualTo("linear (ti)");
    assertThat(Rows.norm(file.rows()[0])).isCloseTo(0.75 * 0.2 + 0.25 * 1.0, within(1e-5));
  }

  private void tiConcept(TestTenant tenant, String token, long seed, double norm) {
    UUID id = concept(tenant, token, "ti");
    embeddings.save(
        null,
        Embedding.builder(id, tenant.id())
            .step(10)
            .encoder(Embedding.TEXT_ENCODER, rows(1, seed, norm), M)
            .method(TrainingMethod.TI)
            .baseModelId(model().id())
            .build());
  }

  @Test
  void invalidInterpolationsAreA400AndStoreNothing() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<x>", 1, 31, M);
    learnedConcept(tenant, "<y>", 2, 32, M);
    learnedConcept(tenant, "<z>", 1, 33, M);

    Response outside =
        interpolate(
            tenant,
            "{\"concepts\": [\"<x>\", \"<z>\"], \"t\": [0.5, 1.5], \"promptTemplate\": \"a {}\"}");
    Response empty =
        interpolate(
            tenant, "{\"concepts\": [\"<x>\", \"<z>\"], \"t\": [], \"promptTemplate\": \"a {}\"}");
    Response noSlot =
        interpolate(
            tenant,
            "{\"concepts\": [\"<x>\", \"<z>\"], \"t\": [0.5], \"promptTemplate\": \"a cat\"}");
    Response vectors =
        interpolate(
            tenant,
            "{\"concepts\": [\"<x>\", \"<y>\"], \"t\": [0.5], \"promptTemplate\": \"a {}\"}");
    Response oneConcept =
        interpolate(
            tenant, "{\"concepts\": [\"<x>\"], \"t\": [0.5], \"promptTemplate\": \"a {}\"}");

    assertThat(outside.status()).isEqualTo(400);
    assertThat(outside.json().get("detail").asString())
        .isEqualTo("t[1]: must be between 0 and 1, got 1.5");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().get("detail").asString()).isEqualTo("t: must list 1 to 16 values");
    assertThat(noSlot.status()).isEqualTo(400);
    assertThat(noSlot.json().get("detail").asString())
        .isEqualTo(
            "promptTemplate: must contain a {} or {concept} slot for the interpolated embedding");
    assertThat(vectors.status()).isEqualTo(400);
    assertThat(vectors.json().get("detail").asString())
        .isEqualTo(
            "concepts: must have the same number of vectors to be interpolated row by row; they have"
                + " [<x>: 1, <y>: 2]");
    assertThat(oneConcept.status()).isEqualTo(400);
    assertThat(count("generations", tenant)).isZero();
    assertThat(count("blobs", tenant)).isZero();
  }

  @Test
  void unknownOrUntrainedConceptsAre404And409() {
    TestTenant tenant = newTenant();
    learnedConcept(tenant, "<known>", 1, 41, M);
    concept(tenant, "<fresh>", "dti");

    Response unknown =
        interpolate(
            tenant,
            "{\"concepts\": [\"<known>\", \"<ghost>\"], \"t\": [0.5], \"promptTemplate\": \"a {}\"}");
    Response untrained =
        interpolate(
            tenant,
            "{\"concepts\": [\"<known>\", \"<fresh>\"], \"t\": [0.5], \"promptTemplate\": \"a {}\"}");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("detail").asString())
        .isEqualTo("There is no concept with the token <ghost>.");
    assertThat(untrained.status()).isEqualTo(409);
    assertThat(count("generations", tenant)).isZero();
  }
}
