package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Another tenant's resources do not exist for a tenant: 404, never 403, and untouched. */
class TenantIsolationTest extends ApiTest {

  @Test
  void anotherTenantsIdsAreNotFoundAndStayUntouched() {
    TestTenant owner = newTenant();
    TestTenant intruder = newTenant();
    JsonNode created = createConcept(owner, "<private>").json();
    String concept = "/v1/concepts/" + created.get("concept").get("id").asString();
    String job = "/v1/jobs/" + created.get("job").get("id").asString();
    Rows before = rows(owner);

    List<Response> attempts =
        List.of(
            api.get(concept, intruder.key()),
            api.get(concept + "/images/0", intruder.key()),
            api.delete(concept, intruder.key()),
            api.get(job, intruder.key()),
            api.post(job + "/cancel", intruder.key()));

    assertThat(attempts).extracting(Response::status).containsOnly(404);
    assertThat(attempts).extracting(Response::contentType).containsOnly("application/problem+json");
    assertThat(rows(owner)).isEqualTo(before);
    assertThat(api.get(job, owner.key()).json().get("state").asString()).isEqualTo("queued");
  }

  @Test
  void listsShowOnlyTheTenantsOwnConceptsAndJobs() {
    TestTenant owner = newTenant();
    TestTenant other = newTenant();
    createConcept(owner, "<mine>");

    assertThat(api.get("/v1/concepts", other.key()).json().get("totalItems").asInt()).isZero();
    assertThat(api.get("/v1/jobs", other.key()).json().get("totalItems").asInt()).isZero();
    assertThat(api.get("/v1/concepts", owner.key()).json().get("totalItems").asInt()).isOne();
    assertThat(api.get("/v1/jobs", owner.key()).json().get("totalItems").asInt()).isOne();
  }
}
