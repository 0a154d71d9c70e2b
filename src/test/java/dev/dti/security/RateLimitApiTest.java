package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.DtiApplication;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Rate limits per tenant and class of endpoint, shared through PostgreSQL, with the IETF RateLimit
 * headers; per-tenant overrides through the admin API; the cap on unfinished training jobs. The
 * defaults are the configured ones: training 10 per hour, read 600 per minute, 20 unfinished jobs.
 */
class RateLimitApiTest extends ApiTest {

  private Response putLimits(TestTenant tenant, String json) {
    return api.putJson("/v1/admin/tenants/" + tenant.id() + "/limits", ADMIN_KEY, json);
  }

  @Test
  void aSuccessfulAnswerCarriesThePolicyAndWhatRemains() {
    TestTenant tenant = newTenant();

    Response response = api.get("/v1/jobs", tenant.key());

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("RateLimit-Policy")).isEqualTo("\"read\";q=600;w=60");
    // 1 of 600 per minute spent: full again in 0.1 s, rounded up to whole seconds.
    assertThat(response.header("RateLimit")).isEqualTo("\"read\";r=599;t=1");
  }

  @Test
  void afterTheTrainingBurstTheNextConceptIsA429WithProblemAndHeadersAndStoresNothing() {
    TestTenant tenant = newTenant();
    List<Response> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      burst.add(createConcept(tenant, "<burst-" + i + ">"));
    }

    Response refused = createConcept(tenant, "<one-too-many>");

    assertThat(burst).extracting(Response::status).containsOnly(202);
    assertThat(burst)
        .extracting(r -> r.header("RateLimit-Policy"))
        .containsOnly("\"training\";q=10;w=3600");
    assertThat(burst.getFirst().header("RateLimit")).startsWith("\"training\";r=9;t=");
    assertThat(burst.getLast().header("RateLimit")).startsWith("\"training\";r=0;t=");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    // One token comes back every 3600 s / 10 = 360 s after it was spent.
    assertThat(retryAfter).isBetween(300L, 360L);
    assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"training\";q=10;w=3600");
    assertThat(refused.header("RateLimit")).isEqualTo("\"training\";r=0;t=" + retryAfter);
    assertThat(refused.json().get("status").asInt()).isEqualTo(429);
    assertThat(refused.json().get("detail").asString())
        .isEqualTo(
            "This tenant may make at most 10 training requests (new concepts and imports) per"
                + " hour; try again in "
                + retryAfter
                + " s.");
    assertThat(rows(tenant)).isEqualTo(new Rows(10, 20, 20, 10, 0));
  }

  @Test
  void anAdminOverrideTakesEffectWithTheNextRequestAndARaiseAddsTheDifference() {
    TestTenant tenant = newTenant();
    assertThat(api.get("/v1/jobs", tenant.key()).header("RateLimit"))
        .isEqualTo("\"read\";r=599;t=1");

    Response set = putLimits(tenant, "{\"readQuota\": 3, \"readWindowSeconds\": 3600}");
    Response first = api.get("/v1/jobs", tenant.key());
    Response second = api.get("/v1/jobs", tenant.key());
    Response third = api.get("/v1/jobs", tenant.key());
    Response refused = api.get("/v1/jobs", tenant.key());
    Response raised = putLimits(tenant, "{\"readQuota\": 4, \"readWindowSeconds\": 3600}");
    Response afterRaise = api.get("/v1/jobs", tenant.key());
    Response fourth = api.get("/v1/jobs", tenant.key());

    assertThat(set.status()).isEqualTo(200);
    assertThat(set.json().get("overrides").get("readQuota").asInt()).isEqualTo(3);
    assertThat(set.json().get("overrides").get("trainingQuota").isNull()).isTrue();
    assertThat(set.json().get("effective").get("read").get("quota").asInt()).isEqualTo(3);
    assertThat(set.json().get("effective").get("training").get("quota").asInt()).isEqualTo(10);
    assertThat(set.json().get("effective").get("maxUnfinishedTrainingJobs").asInt()).isEqualTo(20);
    // The bucket had 599 tokens; a lower quota caps them at 3.
    assertThat(first.header("RateLimit-Policy")).isEqualTo("\"read\";q=3;w=3600");
    assertThat(first.header("RateLimit")).startsWith("\"read\";r=2;");
    assertThat(second.header("RateLimit")).startsWith("\"read\";r=1;");
    assertThat(third.header("RateLimit")).startsWith("\"read\";r=0;");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().get("detail").asString())
        .startsWith("This tenant may make at most 3 read requests (GET requests) per hour;");
    assertThat(raised.status()).isEqualTo(200);
    assertThat(afterRaise.status()).as("the raise by 1 gives 1 token").isEqualTo(200);
    assertThat(afterRaise.header("RateLimit-Policy")).isEqualTo("\"read\";q=4;w=3600");
    assertThat(fourth.status()).isEqualTo(429);
    Response shown = api.get("/v1/admin/tenants/" + tenant.id() + "/limits", ADMIN_KEY);
    assertThat(shown.status()).isEqualTo(200);
    assertThat(shown.json().get("overrides").get("readQuota").asInt()).isEqualTo(4);
    assertThat(shown.header("RateLimit")).as("the admin API is not limited").isNull();
  }

  @Test
  void invalidOverridesAreA400ListingEachAndAnUnknownTenantA404() {
    TestTenant tenant = newTenant();

    Response invalid =
        putLimits(tenant, "{\"trainingQuota\": 0, \"readWindowSeconds\": -5, \"readQuota\": 2}");
    Response unknown =
        api.putJson(
            "/v1/admin/tenants/" + UUID.randomUUID() + "/limits", ADMIN_KEY, "{\"readQuota\": 2}");
    Response tenantKey =
        api.putJson(
            "/v1/admin/tenants/" + tenant.id() + "/limits", tenant.key(), "{\"readQuota\": 2}");

    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.body())
        .contains("\"field\":\"trainingQuota\",\"message\":\"must be between 1 and 1000000")
        .contains("\"field\":\"readWindowSeconds\"")
        .doesNotContain("\"field\":\"readQuota\"");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(tenantKey.status()).isEqualTo(401);
    Response shown = api.get("/v1/admin/tenants/" + tenant.id() + "/limits", ADMIN_KEY);
    assertThat(shown.json().get("overrides").get("readQuota").isNull()).isTrue();
  }

  @Test
  void theUnfinishedTrainingJobCapIsA429NamingItAndStoresNothing() {
    TestTenant tenant = newTenant();
    putLimits(tenant, "{\"maxUnfinishedTrainingJobs\": 2}");
    Response one = createConcept(tenant, "<cap-1>");
    Response two = createConcept(tenant, "<cap-2>");

    Response refused = createConcept(tenant, "<cap-3>");

    assertThat(one.status()).isEqualTo(202);
    assertThat(two.status()).isEqualTo(202);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    assertThat(refused.json().get("detail").asString())
        .isEqualTo(
            "This tenant already has 2 unfinished training jobs (queued or running), the most"
                + " allowed at once; wait until one finishes or cancel one.");
    assertThat(rows(tenant)).isEqualTo(new Rows(2, 4, 4, 2, 0));
    // A canceled job is finished: there is room again.
    String jobId = one.json().get("job").get("id").asString();
    assertThat(api.post("/v1/jobs/" + jobId + "/cancel", tenant.key()).status()).isEqualTo(200);
    assertThat(createConcept(tenant, "<cap-3>").status()).isEqualTo(202);
  }

  @Test
  void theActuatorAndUnclassifiedRequestsAreNotLimited() {
    TestTenant tenant = newTenant();

    Response health = api.get("/actuator/health/liveness", null);
    Response cancelUnknown = api.post("/v1/jobs/" + UUID.randomUUID() + "/cancel", tenant.key());

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.header("RateLimit")).isNull();
    assertThat(cancelUnknown.status()).isEqualTo(404);
    assertThat(cancelUnknown.header("RateLimit")).isNull();
  }

  @Test
  void twoInstancesOnOneDatabaseSpendOneBucket() {
    TestTenant tenant = newTenant();
    putLimits(tenant, "{\"readQuota\": 4, \"readWindowSeconds\": 3600}");

    try (ConfigurableApplicationContext second = startSecondInstance()) {
      ApiClient other =
          new ApiClient(Integer.parseInt(second.getEnvironment().getProperty("local.server.port")));
      List<Response> answers =
          List.of(
              api.get("/v1/concepts", tenant.key()),
              other.get("/v1/concepts", tenant.key()),
              api.get("/v1/concepts", tenant.key()),
              other.get("/v1/concepts", tenant.key()),
              other.get("/v1/concepts", tenant.key()),
              api.get("/v1/concepts", tenant.key()));

      assertThat(answers)
          .extracting(Response::status)
          .containsExactly(200, 200, 200, 200, 429, 429);
      assertThat(answers.subList(0, 4))
          .extracting(r -> r.header("RateLimit").replaceAll(";t=\\d+", ""))
          .containsExactly("\"read\";r=3", "\"read\";r=2", "\"read\";r=1", "\"read\";r=0");
    }
  }

  /** The service once more, on the same test database, as a second replica would run. */
  private static ConfigurableApplicationContext startSecondInstance() {
    var database = TestDatabase.get();
    return new SpringApplicationBuilder(DtiApplication.class)
        .run(
            "--server.port=0",
            "--spring.main.banner-mode=off",
            "--spring.datasource.url=" + database.url(),
            "--spring.datasource.username=" + database.username(),
            "--spring.datasource.password=" + database.password(),
            "--dti.roles=api",
            "--dti.data-dir=target/rate-limit-second-instance-" + UUID.randomUUID());
  }
}
