package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuthenticationTest extends ApiTest {

  @Test
  void aRequestWithoutKeyIs401WithBearerChallenge() {
    Response response = api.get("/v1/concepts", null);

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo("This endpoint needs an API key: send 'Authorization: Bearer <key>'.");
  }

  @Test
  void anUnknownKeyIs401() {
    Response response = api.get("/v1/jobs", "dti_not-a-real-key");

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(response.json().get("detail").asString())
        .isEqualTo("The API key is unknown or has been revoked.");
  }

  @Test
  void aRevokedKeyIs401AndNothingIsCreatedWithIt() {
    TestTenant tenant = newTenant();
    assertThat(api.get("/v1/concepts", tenant.key()).status()).isEqualTo(200);

    assertThat(api.delete("/v1/admin/keys/" + tenant.keyId(), ADMIN_KEY).status()).isEqualTo(204);

    assertThat(api.get("/v1/concepts", tenant.key()).status()).isEqualTo(401);
    assertThat(createConcept(tenant, "<late>").status()).isEqualTo(401);
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  @Test
  void anUploadWithoutKeyIs401AndStoresNothing() {
    TestTenant tenant = newTenant();

    Response response = api.postMultipart("/v1/concepts", null, validConcept("<anon>"));

    assertThat(response.status()).isEqualTo(401);
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  @Test
  void aTenantKeyDoesNotOpenTheAdminApi() {
    TestTenant tenant = newTenant();

    Response response = api.get("/v1/admin/tenants", tenant.key());

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.json().get("detail").asString())
        .isEqualTo("The bearer key is not the admin key.");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/actuator/health",
        "/actuator/health/liveness",
        "/actuator/prometheus",
        "/v3/api-docs",
        "/swagger-ui/index.html"
      })
  void operationalEndpointsArePublic(String path) {
    assertThat(api.get(path, null).status()).isEqualTo(200);
  }

  @Test
  void unknownRoutesAre404Problems() {
    TestTenant tenant = newTenant();

    Response underApi = api.get("/v1/nothing-here", tenant.key());
    Response outside = api.get("/nothing-here", null);

    assertThat(underApi.status()).isEqualTo(404);
    assertThat(underApi.contentType()).isEqualTo("application/problem+json");
    assertThat(underApi.json().get("detail").asString())
        .isEqualTo("There is no endpoint GET /v1/nothing-here.");
    assertThat(outside.status()).isEqualTo(404);
    assertThat(outside.contentType()).isEqualTo("application/problem+json");
  }

  @Test
  void aWrongMethodIsA405Problem() {
    TestTenant tenant = newTenant();

    Response response = api.delete("/v1/jobs", tenant.key());

    assertThat(response.status()).isEqualTo(405);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
  }
}
