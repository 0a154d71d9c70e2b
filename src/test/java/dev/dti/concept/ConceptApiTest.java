package dev.dti.concept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.Multipart;
import dev.dti.support.TestImages;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ConceptApiTest extends ApiTest {

  @Test
  void createAnswers202WithTheConceptItsQueuedJobAndLocation() {
    TestTenant tenant = newTenant();

    Response created =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            validConcept("<my-rabbit>")
                .field("captions", "my rabbit, on a sofa")
                .field("captions", "")
                .field("seed", "42"));

    assertThat(created.status()).isEqualTo(202);
    assertThat(created.contentType()).startsWith("application/json");
    JsonNode concept = created.json().get("concept");
    String id = concept.get("id").asString();
    assertThat(created.header("Location")).isEqualTo("/v1/concepts/" + id);
    assertThat(concept.get("name").asString()).isEqualTo("Rabbit plush");
    assertThat(concept.get("token").asString()).isEqualTo("<my-rabbit>");
    assertThat(concept.get("initializer").asString()).isEqualTo("rabbit");
    assertThat(concept.get("imageCount").asInt()).isEqualTo(2);
    JsonNode images = concept.get("images");
    assertThat(images.get(0).get("contentType").asString()).isEqualTo("image/png");
    assertThat(images.get(0).get("width").asInt()).isEqualTo(64);
    assertThat(images.get(0).get("height").asInt()).isEqualTo(48);
    assertThat(images.get(0).get("filename").asString()).isEqualTo("one.png");
    assertThat(images.get(0).get("caption").asString()).isEqualTo("my rabbit, on a sofa");
    assertThat(images.get(1).get("contentType").asString())
        .as("a JPEG is stored as PNG")
        .isEqualTo("image/png");
    assertThat(images.get(1).get("caption").isNull()).isTrue();
    assertThat(images.get(1).get("url").asString()).isEqualTo("/v1/concepts/" + id + "/images/1");

    JsonNode job = created.json().get("job");
    assertThat(job.get("kind").asString()).isEqualTo("training");
    assertThat(job.get("state").asString()).isEqualTo("queued");
    assertThat(job.get("conceptId").asString()).isEqualTo(id);
    assertThat(job.get("totalSteps").asInt()).isEqualTo(400);
    assertThat(job.get("progress").asDouble()).isZero();
    assertThat(concept.get("latestJob").get("id")).isEqualTo(job.get("id"));
    assertThat(rows(tenant)).isEqualTo(new Rows(1, 2, 2, 1, 0));
  }

  @Test
  void defaultsAreAppliedPerMethodAndReturned() {
    TestTenant tenant = newTenant();

    JsonNode dti = createConcept(tenant, "<dti>").json().get("concept").get("hyperparameters");
    JsonNode ti =
        api.postMultipart("/v1/concepts", tenant.key(), validConcept("<ti>").field("method", "ti"))
            .json()
            .get("concept")
            .get("hyperparameters");

    assertThat(dti.get("method").asString()).isEqualTo("dti");
    assertThat(dti.get("templates").asString()).isEqualTo("object");
    assertThat(dti.get("steps").asInt()).isEqualTo(400);
    assertThat(dti.get("learningRate").asDouble()).isEqualTo(0.01);
    assertThat(dti.get("kappa").asDouble()).isEqualTo(1e-4);
    assertThat(dti.get("batchSize").asInt()).isEqualTo(4);
    assertThat(dti.get("numVectors").isNull()).isTrue();
    assertThat(dti.get("scaleLr").asBoolean()).isFalse();
    assertThat(dti.get("seed").isIntegralNumber()).isTrue();
    assertThat(ti.get("method").asString()).isEqualTo("ti");
    assertThat(ti.get("learningRate").asDouble()).isEqualTo(0.005);
    assertThat(ti.get("kappa").isNull()).isTrue();
  }

  @Test
  void explicitHyperparametersAreStoredAsGivenAndTheJobPointsAtTheirConcept() {
    TestTenant tenant = newTenant();

    Response created =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            new Multipart()
                .image("one.png", TestImages.png(64, 48))
                .image("two.png", TestImages.png(48, 64))
                .field("name", "Painting style")
                .field("token", "<styled>")
                .field("initializer", "oil painting")
                .field("templates", "style")
                .field("steps", "1200")
                .field("learningRate", "0.02")
                .field("kappa", "0.5")
                .field("batchSize", "2")
                .field("seed", "7")
                .field("numVectors", "3")
                .field("scaleLr", "true"));

    assertThat(created.status()).isEqualTo(202);
    JsonNode hp = created.json().get("concept").get("hyperparameters");
    assertThat(hp.toString())
        .isEqualTo(
            "{\"method\":\"dti\",\"templates\":\"style\",\"steps\":1200,\"learningRate\":0.02,"
                + "\"kappa\":0.5,\"batchSize\":2,\"seed\":7,\"numVectors\":3,\"scaleLr\":true}");
    String payload =
        jdbc.sql("SELECT payload::text FROM jobs WHERE id = :id")
            .param("id", UUID.fromString(created.json().get("job").get("id").asString()))
            .query(String.class)
            .single();
    // The job's handler reads the concept's hyperparameters when it runs; the payload names it.
    assertThat(payload)
        .isEqualTo(
            "{\"conceptId\": \"" + created.json().get("concept").get("id").asString() + "\"}");
    assertThat(created.json().get("job").get("totalSteps").asInt()).isEqualTo(1200);
  }

  @Test
  void getShowsTheConceptWithImagesAndLatestJob() {
    TestTenant tenant = newTenant();
    JsonNode created = createConcept(tenant, "<get-me>").json();
    String id = created.get("concept").get("id").asString();

    Response got = api.get("/v1/concepts/" + id, tenant.key());

    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().get("images").size()).isEqualTo(2);
    assertThat(got.json().get("latestJob").get("state").asString()).isEqualTo("queued");
    assertThat(got.json()).isEqualTo(created.get("concept"));
  }

  @Test
  void imageEndpointServesTheUploadedPixelsAsPng() {
    TestTenant tenant = newTenant();
    byte[] png = TestImages.png(20, 10);
    byte[] jpeg = TestImages.jpeg(10, 20);
    String id =
        api.postMultipart(
                "/v1/concepts",
                tenant.key(),
                new Multipart()
                    .image("a.png", png)
                    .file("images", "named-wrongly.png", "image/png", jpeg)
                    .field("name", "n")
                    .field("token", "<bytes>")
                    .field("initializer", "dog"))
            .json()
            .get("concept")
            .get("id")
            .asString();

    Response first = api.get("/v1/concepts/" + id + "/images/0", tenant.key());
    Response second = api.get("/v1/concepts/" + id + "/images/1", tenant.key());

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.contentType()).isEqualTo("image/png");
    assertThat(pixels(first.bytes())).isEqualTo(pixels(png));
    assertThat(second.contentType()).isEqualTo("image/png");
    assertThat(pixels(second.bytes())).as("the JPEG's decoded pixels").isEqualTo(pixels(jpeg));
    Response missing = api.get("/v1/concepts/" + id + "/images/2", tenant.key());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("detail").asString()).contains("no image at position 2");
  }

  @Test
  void listPagesNewestFirstWithTotals() {
    TestTenant tenant = newTenant();
    IntStream.range(0, 5).forEach(i -> createConcept(tenant, "<c" + i + ">"));

    Response firstPage = api.get("/v1/concepts?page=0&size=2", tenant.key());
    Response lastPage = api.get("/v1/concepts?page=2&size=2", tenant.key());
    Response beyond = api.get("/v1/concepts?page=9&size=2", tenant.key());
    Response defaults = api.get("/v1/concepts", tenant.key());

    assertThat(firstPage.status()).isEqualTo(200);
    JsonNode page = firstPage.json();
    assertThat(page.get("page").asInt()).isZero();
    assertThat(page.get("size").asInt()).isEqualTo(2);
    assertThat(page.get("totalItems").asInt()).isEqualTo(5);
    assertThat(page.get("totalPages").asInt()).isEqualTo(3);
    assertThat(page.get("items").get(0).get("token").asString()).isEqualTo("<c4>");
    assertThat(page.get("items").get(1).get("token").asString()).isEqualTo("<c3>");
    assertThat(page.get("items").get(0).get("imageCount").asInt()).isEqualTo(2);
    assertThat(page.get("items").get(0).get("latestJob").get("state").asString())
        .isEqualTo("queued");
    assertThat(lastPage.json().get("items").size()).isEqualTo(1);
    assertThat(lastPage.json().get("items").get(0).get("token").asString()).isEqualTo("<c0>");
    assertThat(beyond.json().get("items").size()).isZero();
    assertThat(defaults.json().get("size").asInt()).isEqualTo(20);
    assertThat(defaults.json().get("items").size()).isEqualTo(5);
  }

  @Test
  void listRefusesBadPaging() {
    TestTenant tenant = newTenant();

    for (String query : new String[] {"page=-1", "size=0", "size=101", "page=abc"}) {
      Response response = api.get("/v1/concepts?" + query, tenant.key());
      assertThat(response.status()).as(query).isEqualTo(400);
      assertThat(response.contentType()).isEqualTo("application/problem+json");
    }
  }

  @Test
  void deleteCancelsTheQueuedJobAndRemovesConceptImagesAndBlobs() {
    TestTenant tenant = newTenant();
    JsonNode created = createConcept(tenant, "<doomed>").json();
    String id = created.get("concept").get("id").asString();
    String jobId = created.get("job").get("id").asString();

    Response deleted = api.delete("/v1/concepts/" + id, tenant.key());

    assertThat(deleted.status()).isEqualTo(204);
    assertThat(api.get("/v1/concepts/" + id, tenant.key()).status()).isEqualTo(404);
    assertThat(api.delete("/v1/concepts/" + id, tenant.key()).status()).isEqualTo(404);
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 1, 0));
    JsonNode job = api.get("/v1/jobs/" + jobId, tenant.key()).json();
    assertThat(job.get("state").asString()).isEqualTo("canceled");
    assertThat(job.get("conceptId").isNull()).isTrue();
    assertThat(createConcept(tenant, "<doomed>").status())
        .as("the token is free again")
        .isEqualTo(202);
  }

  @Test
  void unknownConceptIsA404Problem() {
    TestTenant tenant = newTenant();
    String unknown = "/v1/concepts/00000000-0000-0000-0000-000000000001";

    for (Response response :
        new Response[] {
          api.get(unknown, tenant.key()),
          api.delete(unknown, tenant.key()),
          api.get(unknown + "/images/0", tenant.key())
        }) {
      assertThat(response.status()).isEqualTo(404);
      assertThat(response.contentType()).isEqualTo("application/problem+json");
      assertThat(response.json().get("detail").asString())
          .isEqualTo("There is no concept with id 00000000-0000-0000-0000-000000000001.");
    }
  }

  private static List<Integer> pixels(byte[] image) {
    BufferedImage decoded = PhotoFixtures.decode(image);
    int[] rgb =
        decoded.getRGB(0, 0, decoded.getWidth(), decoded.getHeight(), null, 0, decoded.getWidth());
    return Arrays.stream(rgb).boxed().toList();
  }
}
