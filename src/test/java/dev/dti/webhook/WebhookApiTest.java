package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** Registering, reading, rotating and deleting endpoints; what is refused and why. */
class WebhookApiTest extends WebhookTestBase {

  @Test
  void registeringAnswers201WithTheSecretWhichCannotBeReadBack() {
    JsonNode created = register(RECEIVER.url("/a"), "job.succeeded", "job.failed");

    assertThat(created.get("secret").asString()).matches("whsec_[A-Za-z0-9+/]{43}=");
    assertThat(created.get("url").asString()).isEqualTo(RECEIVER.url("/a"));
    assertThat(created.get("events").toString()).isEqualTo("[\"job.succeeded\",\"job.failed\"]");
    assertThat(created.get("description").asString()).isEqualTo("test");
    assertThat(created.get("disabled").asBoolean()).isFalse();

    String id = created.get("id").asString();
    JsonNode read = api.get("/v1/webhooks/" + id, key).json();
    assertThat(read.has("secret")).isFalse();
    assertThat(read.get("events")).isEqualTo(created.get("events"));
    JsonNode list = api.get("/v1/webhooks", key).json();
    assertThat(list.get("totalItems").asInt()).isEqualTo(1);
    assertThat(list.at("/items/0/id").asString()).isEqualTo(id);
    assertThat(list.at("/items/0").has("secret")).isFalse();
  }

  @Test
  void anUnknownEventIs400ListingTheValidOnesAndStoresNothing() {
    Response response =
        api.postJson("/v1/webhooks", key, createBody(RECEIVER.url("/a"), "job.done"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "events: unknown event 'job.done'; valid: job.started, job.progress, job.succeeded,"
                + " job.failed, job.canceled, generation.succeeded, generation.failed,"
                + " interpolation.succeeded, interpolation.failed, concept.deleted");
    assertThat(endpointCount()).isZero();
  }

  @Test
  void noEventsAndAMissingUrlAreBothNamed() {
    Response response = api.postJson("/v1/webhooks", key, "{\"events\":[]}");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo("2 fields are invalid; see errors");
    assertThat(response.json().at("/errors/0/field").asString()).isEqualTo("url");
    assertThat(response.json().at("/errors/1/field").asString()).isEqualTo("events");
    assertThat(endpointCount()).isZero();
  }

  @ParameterizedTest(name = "{0} is refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "http://10.0.0.1/hook           | 10.0.0.1 is a private address (10.0.0.0/8)",
        "http://172.16.5.4/hook         | 172.16.5.4 is a private address (172.16.0.0/12)",
        "http://192.168.0.1/hook        | 192.168.0.1 is a private address (192.168.0.0/16)",
        "http://169.254.169.254/latest  | 169.254.169.254 is the cloud metadata address",
        "http://169.254.1.1/hook        | 169.254.1.1 is a link-local address (169.254.0.0/16)",
        "http://100.64.1.1/hook         | 100.64.1.1 is a carrier-grade NAT address (100.64.0.0/10)",
        "http://224.0.0.1/hook          | 224.0.0.1 is a multicast address (224.0.0.0/4)",
        "http://0.0.0.0/hook            | 0.0.0.0 is an unspecified address (0.0.0.0/8)",
        "http://255.255.255.255/hook    | 255.255.255.255 is the broadcast address",
        "http://[::1]/hook              | ::1 is a loopback address (::1/128)",
        "http://[fd00::1]/hook          | fd00::1 is a private (unique local) address (fc00::/7)",
        "http://[fe80::1]/hook          | fe80::1 is a link-local address (fe80::/10)",
        "http://[ff02::1]/hook          | ff02::1 is a multicast address (ff00::/8)",
        "http://[::ffff:10.0.0.1]/hook  | ::ffff:10.0.0.1 is a private address (10.0.0.0/8)",
        "http://[2002:a00:1::1]/hook    | 2002:a00:1::1 is a 6to4 address of 10.0.0.1",
        "http://[64:ff9b::a9fe:a9fe]/x  | 64:ff9b::a9fe:a9fe is a NAT64 address of 169.254.169.254",
      })
  void aUrlReachingANonPublicAddressIsRefusedAtRegistration(String url, String sentence) {
    Response response = api.postJson("/v1/webhooks", key, createBody(url, "job.succeeded"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .startsWith("url: is refused: " + sentence)
        .endsWith("; webhooks are only sent to public addresses.");
    assertThat(endpointCount()).isZero();
  }

  @Test
  void aHostThatResolvesToAPrivateAddressIsRefusedAtRegistration() {
    DNS.put("intranet.example", "192.168.7.7");

    Response response =
        api.postJson(
            "/v1/webhooks", key, createBody("http://intranet.example/hook", "job.succeeded"));

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "url: is refused: intranet.example resolves to 192.168.7.7, a private address"
                + " (192.168.0.0/16); webhooks are only sent to public addresses.");
  }

  @Test
  void anotherTenantsWebhookIsNotFound() {
    String id = register(RECEIVER.url("/a"), "job.succeeded").get("id").asString();
    String otherKey = tenants.createTenant("other-" + id).key().key();

    Response response = api.get("/v1/webhooks/" + id, otherKey);

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.json().get("detail").asString())
        .isEqualTo("There is no webhook with id " + id + ".");
    assertThat(api.delete("/v1/webhooks/" + id, otherKey).status()).isEqualTo(404);
    assertThat(api.post("/v1/webhooks/" + id + "/rotate-secret", otherKey).status()).isEqualTo(404);
  }

  @Test
  void deletingRemovesTheEndpoint() {
    String id = register(RECEIVER.url("/a"), "job.succeeded").get("id").asString();

    assertThat(api.delete("/v1/webhooks/" + id, key).status()).isEqualTo(204);

    assertThat(api.get("/v1/webhooks/" + id, key).status()).isEqualTo(404);
    assertThat(endpointCount()).isZero();
  }

  @Test
  void rotatingAnswersANewSecretAndTheOldOneSignsForTheGracePeriod() {
    JsonNode created = register(RECEIVER.url("/a"), "job.succeeded");

    JsonNode rotated =
        api.post("/v1/webhooks/" + created.get("id").asString() + "/rotate-secret", key).json();

    assertThat(rotated.get("secret").asString())
        .startsWith("whsec_")
        .isNotEqualTo(created.get("secret").asString());
    Instant until = Instant.parse(rotated.get("previousSecretExpiresAt").asString());
    assertThat(Duration.between(Instant.now(), until))
        .isBetween(Duration.ofHours(23), Duration.ofHours(24));
  }

  @Test
  void aMalformedIdIs400AndAnUnknownDeliveryIs404() {
    String id = register(RECEIVER.url("/a"), "job.succeeded").get("id").asString();

    assertThat(api.get("/v1/webhooks/not-a-uuid", key).status()).isEqualTo(400);
    Response resend = api.post("/v1/webhooks/" + id + "/deliveries/msg_nope/resend", key);
    assertThat(resend.status()).isEqualTo(404);
    assertThat(resend.json().get("detail").asString())
        .isEqualTo("Webhook " + id + " has no delivery with id msg_nope.");
  }

  @Test
  void aRetriedRegistrationWithTheSameIdempotencyKeyAnswersTheSameEndpointAndSecret() {
    String body = createBody(RECEIVER.url("/idem"), "job.succeeded");

    Response first = api.postJson("/v1/webhooks", key, body, "register-once");
    Response again = api.postJson("/v1/webhooks", key, body, "register-once");

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.header("Location"))
        .isEqualTo("/v1/webhooks/" + first.json().get("id").asString());
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(again.json().get("secret")).isEqualTo(first.json().get("secret"));
    assertThat(endpointCount()).isEqualTo(1);
  }

  private long endpointCount() {
    return jdbc.sql("SELECT count(*) FROM webhook_endpoints WHERE tenant_id = :t")
        .param("t", tenantId)
        .query(Long.class)
        .single();
  }
}
