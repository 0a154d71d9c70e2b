package dev.dti.job.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JobApiTest extends ApiTest {

  @Test
  void aJobShowsEveryProgressField() {
    TestTenant tenant = newTenant();
    String jobId = trainingJobOf(tenant, "<progress>");

    JsonNode job = api.get("/v1/jobs/" + jobId, tenant.key()).json();

    assertThat(job.propertyNames())
        .containsExactly(
            "id",
            "kind",
            "conceptId",
            "state",
            "progress",
            "currentStep",
            "totalSteps",
            "etaSeconds",
            "lastLoss",
            "embeddingNorm",
            "attempts",
            "maxAttempts",
            "crashes",
            "maxCrashes",
            "cancelRequested",
            "createdAt",
            "startedAt",
            "finishedAt",
            "updatedAt",
            "error",
            "history");
    assertThat(job.get("state").asString()).isEqualTo("queued");
    assertThat(job.get("attempts").asInt()).isZero();
    assertThat(job.get("maxAttempts").asInt()).isPositive();
    assertThat(job.get("crashes").asInt()).isZero();
    assertThat(job.get("maxCrashes").asInt()).isEqualTo(5);
  }

  @Test
  void cancelingAQueuedJobCancelsItAtOnceAndAgainChangesNothing() {
    TestTenant tenant = newTenant();
    String jobId = trainingJobOf(tenant, "<cancel-me>");

    Response canceled = api.post("/v1/jobs/" + jobId + "/cancel", tenant.key());
    Response again = api.post("/v1/jobs/" + jobId + "/cancel", tenant.key());

    assertThat(canceled.status()).isEqualTo(200);
    assertThat(canceled.json().get("state").asString()).isEqualTo("canceled");
    assertThat(canceled.json().get("cancelRequested").asBoolean()).isTrue();
    assertThat(canceled.json().get("finishedAt").isNull()).isFalse();
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("state").asString()).isEqualTo("canceled");
  }

  @Test
  void cancelingARunningJobRequestsItsStop() {
    TestTenant tenant = newTenant();
    String jobId = trainingJobOf(tenant, "<running>");
    setState(jobId, "running");

    JsonNode job = api.post("/v1/jobs/" + jobId + "/cancel", tenant.key()).json();

    assertThat(job.get("state").asString()).isEqualTo("running");
    assertThat(job.get("cancelRequested").asBoolean()).isTrue();
  }

  @Test
  void cancelingAFinishedJobIsAConflict() {
    TestTenant tenant = newTenant();
    String jobId = trainingJobOf(tenant, "<done>");
    setState(jobId, "succeeded");

    Response response = api.post("/v1/jobs/" + jobId + "/cancel", tenant.key());

    assertThat(response.status()).isEqualTo(409);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .isEqualTo("Job " + jobId + " already succeeded; it can no longer be canceled.");
  }

  @Test
  void listFiltersByStateAndPages() {
    TestTenant tenant = newTenant();
    String first = trainingJobOf(tenant, "<a>");
    trainingJobOf(tenant, "<b>");
    String third = trainingJobOf(tenant, "<c>");
    api.post("/v1/jobs/" + first + "/cancel", tenant.key());

    JsonNode queued = api.get("/v1/jobs?state=queued", tenant.key()).json();
    JsonNode canceled = api.get("/v1/jobs?state=canceled", tenant.key()).json();
    JsonNode page = api.get("/v1/jobs?size=2&page=0", tenant.key()).json();

    assertThat(queued.get("totalItems").asInt()).isEqualTo(2);
    assertThat(canceled.get("totalItems").asInt()).isEqualTo(1);
    assertThat(canceled.get("items").get(0).get("id").asString()).isEqualTo(first);
    assertThat(page.get("totalItems").asInt()).isEqualTo(3);
    assertThat(page.get("totalPages").asInt()).isEqualTo(2);
    assertThat(page.get("items").size()).isEqualTo(2);
    assertThat(page.get("items").get(0).get("id").asString()).isEqualTo(third);
  }

  @Test
  void anUnknownStateIsA400() {
    TestTenant tenant = newTenant();

    Response response = api.get("/v1/jobs?state=paused", tenant.key());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo(
            "state: unknown state 'paused'; allowed: queued, running, succeeded, failed, canceled");
  }

  @Test
  void unknownOrMalformedJobIds() {
    TestTenant tenant = newTenant();
    String unknown = UUID.randomUUID().toString();

    assertThat(api.get("/v1/jobs/" + unknown, tenant.key()).status()).isEqualTo(404);
    assertThat(api.post("/v1/jobs/" + unknown + "/cancel", tenant.key()).status()).isEqualTo(404);
    Response malformed = api.get("/v1/jobs/not-a-uuid", tenant.key());
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("detail").asString())
        .isEqualTo("id: must be an id (UUID), got 'not-a-uuid'");
  }

  private String trainingJobOf(TestTenant tenant, String token) {
    return createConcept(tenant, token).json().get("job").get("id").asString();
  }

  /** Stands in for the worker, which is not part of these tests. */
  private void setState(String jobId, String state) {
    jdbc.sql("UPDATE jobs SET state = :state WHERE id = :id")
        .param("state", state)
        .param("id", UUID.fromString(jobId))
        .update();
  }
}
