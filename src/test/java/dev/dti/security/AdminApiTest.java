package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AdminApiTest extends ApiTest {

  @Test
  void anAdminCreatesATenantWhoseFirstKeyWorksAtOnce() {
    String name = "acme-" + UUID.randomUUID();

    Response created = api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"" + name + "\"}");

    assertThat(created.status()).isEqualTo(201);
    JsonNode body = created.json();
    assertThat(body.get("tenant").get("name").asString()).isEqualTo(name);
    String key = body.get("key").get("key").asString();
    assertThat(key).startsWith("dti_").hasSize(36);
    assertThat(body.get("key").get("prefix").asString()).isEqualTo(key.substring(0, 8));
    assertThat(api.get("/v1/concepts", key).status()).isEqualTo(200);
    String storedHash =
        jdbc.sql("SELECT key_hash FROM api_keys WHERE id = :id")
            .param("id", UUID.fromString(body.get("key").get("id").asString()))
            .query(String.class)
            .single();
    assertThat(storedHash).isEqualTo(ApiKeys.hash(key)).doesNotContain(key);
  }

  @Test
  void aSecondKeyCanBeAddedAndRevokedIndependently() {
    TestTenant tenant = newTenant();

    Response added =
        api.postJson("/v1/admin/tenants/" + tenant.id() + "/keys", ADMIN_KEY, "{\"label\":\"ci\"}");
    String secondKey = added.json().get("key").asString();
    Response revoked = api.delete("/v1/admin/keys/" + added.json().get("id").asString(), ADMIN_KEY);

    assertThat(added.status()).isEqualTo(201);
    assertThat(revoked.status()).isEqualTo(204);
    assertThat(api.get("/v1/jobs", secondKey).status()).isEqualTo(401);
    assertThat(api.get("/v1/jobs", tenant.key()).status()).isEqualTo(200);
  }

  @Test
  void theTenantListShowsKeyPrefixesAndRevocationsButNeverKeys() {
    TestTenant tenant = newTenant();
    api.delete("/v1/admin/keys/" + tenant.keyId(), ADMIN_KEY);

    JsonNode page = api.get("/v1/admin/tenants?size=100", ADMIN_KEY).json();
    long total = page.get("totalItems").asLong();
    JsonNode lastPage = api.get("/v1/admin/tenants?size=1&page=" + (total - 1), ADMIN_KEY).json();

    assertThat(lastPage.get("items").get(0).get("id").asString()).isEqualTo(tenant.id().toString());
    JsonNode key = lastPage.get("items").get(0).get("keys").get(0);
    assertThat(key.get("id").asString()).isEqualTo(tenant.keyId().toString());
    assertThat(key.get("prefix").asString()).isEqualTo(tenant.key().substring(0, 8));
    assertThat(key.get("revokedAt").isNull()).isFalse();
    assertThat(page.toString()).doesNotContain(tenant.key());
  }

  @Test
  void invalidAdminRequestsAreProblems() {
    String existing = "dup-" + UUID.randomUUID();
    api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"" + existing + "\"}");

    assertThat(api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"" + existing + "\"}"))
        .extracting(Response::status)
        .isEqualTo(409);
    assertThat(api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"\"}").status())
        .isEqualTo(400);
    assertThat(api.postJson("/v1/admin/tenants", ADMIN_KEY, "{not json").status()).isEqualTo(400);
    assertThat(
            api.postJson("/v1/admin/tenants/" + UUID.randomUUID() + "/keys", ADMIN_KEY, "{}")
                .status())
        .isEqualTo(404);
    assertThat(api.delete("/v1/admin/keys/" + UUID.randomUUID(), ADMIN_KEY).status())
        .isEqualTo(404);
    assertThat(api.get("/v1/admin/tenants", "wrong-admin-key").status()).isEqualTo(401);
    assertThat(api.get("/v1/admin/tenants", null).status()).isEqualTo(401);
  }
}
