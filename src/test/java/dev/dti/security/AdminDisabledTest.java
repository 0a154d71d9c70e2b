package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Without {@code dti.security.admin-key} (the plain test configuration) there is no admin API. */
class AdminDisabledTest extends IntegrationTest {

  @LocalServerPort int port;

  @Test
  void theAdminApiIsDisabledWithoutAnAdminKey() {
    Response response = new ApiClient(port).get("/v1/admin/tenants", "anything");

    assertThat(response.status()).isEqualTo(403);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo("The admin API is disabled: no admin key is configured (set DTI_ADMIN_KEY).");
  }
}
