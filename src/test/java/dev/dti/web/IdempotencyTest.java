package dev.dti.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.TestImages;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IdempotencyTest extends ApiTest {

  @org.springframework.beans.factory.annotation.Autowired IdempotencyCleanup cleanup;
  @org.springframework.beans.factory.annotation.Autowired Idempotency idempotency;

  @Test
  void repeatingAKeyWithTheSameRequestReplaysTheFirstResponseAndCreatesNothing() {
    TestTenant tenant = newTenant();
    Response first = create(tenant, "<replayed>", "key-1");
    Rows afterFirst = rows(tenant);

    // A new multipart body (new boundary) with the same parts is the same request.
    Response second = create(tenant, "<replayed>", "key-1");

    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.header("Location")).isEqualTo(first.header("Location"));
    assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
    assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(afterFirst).isEqualTo(new Rows(1, 2, 2, 1, 1));
    assertThat(rows(tenant)).isEqualTo(afterFirst);
  }

  @Test
  void repeatingAKeyWithADifferentRequestIsAConflict() {
    TestTenant tenant = newTenant();
    create(tenant, "<first>", "key-2");

    Response different = create(tenant, "<second>", "key-2");

    assertThat(different.status()).isEqualTo(409);
    assertThat(different.contentType()).isEqualTo("application/problem+json");
    assertThat(different.json().get("detail").asString())
        .isEqualTo(
            "The Idempotency-Key 'key-2' was already used for a different request; use a new key"
                + " for a new request.");
    assertThat(rows(tenant)).isEqualTo(new Rows(1, 2, 2, 1, 1));
  }

  @Test
  void aDifferentFileWithTheSameFieldsIsADifferentRequest() {
    TestTenant tenant = newTenant();
    create(tenant, "<files>", "key-3");

    Response otherImage =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            validConcept("<files>").image("three.png", TestImages.png(8, 8)),
            "Idempotency-Key",
            "key-3");

    assertThat(otherImage.status()).isEqualTo(409);
  }

  @Test
  void keysAreScopedToTheTenant() {
    TestTenant one = newTenant();
    TestTenant other = newTenant();

    Response first = create(one, "<shared>", "same-key");
    Response second = create(other, "<shared>", "same-key");

    assertThat(second.status()).isEqualTo(202);
    assertThat(second.body()).isNotEqualTo(first.body());
    assertThat(rows(other).concepts()).isEqualTo(1);
  }

  @Test
  void aFailedRequestStoresNoKeySoItCanBeRetried() {
    TestTenant tenant = newTenant();
    Response invalid =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            validConcept("<retry>").field("steps", "0"),
            "Idempotency-Key",
            "key-4");

    Response valid = create(tenant, "<retry>", "key-4");

    assertThat(invalid.status()).isEqualTo(400);
    assertThat(valid.status()).isEqualTo(202);
    assertThat(rows(tenant).concepts()).isEqualTo(1);
  }

  @Test
  void simultaneousRequestsWithOneKeyCreateOnce() throws Exception {
    TestTenant tenant = newTenant();
    int clients = 4;
    var barrier = new CyclicBarrier(clients);

    List<CompletableFuture<Response>> responses =
        IntStream.range(0, clients)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          await(barrier);
                          return create(tenant, "<race>", "race-key");
                        }))
            .toList();

    List<Response> answered = responses.stream().map(CompletableFuture::join).toList();
    assertThat(answered).extracting(Response::status).containsOnly(202);
    assertThat(answered).extracting(Response::body).containsOnly(answered.getFirst().body());
    assertThat(answered)
        .extracting(r -> r.header("Idempotent-Replayed"))
        .containsExactlyInAnyOrder("false", "true", "true", "true");
    assertThat(rows(tenant)).isEqualTo(new Rows(1, 2, 2, 1, 1));
  }

  @Test
  void anExpiredKeyIsForgottenAndTheCleanupDeletesIt() {
    TestTenant tenant = newTenant();
    create(tenant, "<expiring>", "key-expires");
    jdbc.sql(
            "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"
                + " WHERE tenant_id = :t AND idempotency_key = 'key-expires'")
        .param("t", tenant.id())
        .update();

    Response reused = create(tenant, "<new-request>", "key-expires");

    assertThat(reused.status()).as("a new request may use an expired key").isEqualTo(202);
    assertThat(reused.header("Idempotent-Replayed")).isEqualTo("false");
    jdbc.sql(
            "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"
                + " WHERE tenant_id = :t")
        .param("t", tenant.id())
        .update();
    assertThat(cleanup.cleanUp()).isPositive();
    assertThat(rows(tenant).idempotencyKeys()).isZero();
  }

  @Test
  void aKeyIsKeptForADayByDefault() {
    TestTenant tenant = newTenant();
    create(tenant, "<day>", "key-day");

    Double hours =
        jdbc.sql(
                "SELECT extract(epoch FROM expires_at - created_at) / 3600 FROM idempotency_keys"
                    + " WHERE tenant_id = :t")
            .param("t", tenant.id())
            .query(Double.class)
            .single();

    assertThat(hours).isEqualTo(24.0);
  }

  @Test
  void theAdminApiReplaysATenantCreationAndRefusesTheKeyForAnotherTenant() {
    String name = "idempotent-" + java.util.UUID.randomUUID();
    String key = "admin-key-" + java.util.UUID.randomUUID();

    Response first =
        api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"" + name + "\"}", key);
    Response again =
        api.postJson("/v1/admin/tenants", ADMIN_KEY, "{ \"name\" : \"" + name + "\" }", key);
    Response other =
        api.postJson("/v1/admin/tenants", ADMIN_KEY, "{\"name\":\"" + name + "-2\"}", key);

    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.json().at("/tenant/id")).isEqualTo(first.json().at("/tenant/id"));
    assertThat(again.json().at("/key/key")).isEqualTo(first.json().at("/key/key"));
    assertThat(other.status()).isEqualTo(409);
    assertThat(
            jdbc.sql("SELECT count(*) FROM tenants WHERE name LIKE :n")
                .param("n", name + "%")
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void theAdminApiReplaysAKeyCreation() {
    TestTenant tenant = newTenant();
    String path = "/v1/admin/tenants/" + tenant.id() + "/keys";

    Response first = api.postJson(path, ADMIN_KEY, "{\"label\":\"ci\"}", "issue-once");
    Response again = api.postJson(path, ADMIN_KEY, "{\"label\":\"ci\"}", "issue-once");

    assertThat(first.status()).isEqualTo(201);
    assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(
            jdbc.sql("SELECT count(*) FROM api_keys WHERE tenant_id = :t")
                .param("t", tenant.id())
                .query(Long.class)
                .single())
        .isEqualTo(2);
  }

  @Test
  void aReservedCreationRunsOutsideAnyTransactionAndASecondRequestMeanwhileIsToldToRetry()
      throws Exception {
    TestTenant tenant = newTenant();
    var insideCreation = new java.util.concurrent.CountDownLatch(1);
    var release = new java.util.concurrent.CountDownLatch(1);
    var transactionActive = new java.util.concurrent.atomic.AtomicBoolean(true);

    CompletableFuture<org.springframework.http.ResponseEntity<String>> first =
        CompletableFuture.supplyAsync(
            () ->
                idempotency.executeReserved(
                    tenant.id(),
                    "slow-render",
                    "fingerprint",
                    () -> {
                      transactionActive.set(
                          org.springframework.transaction.support.TransactionSynchronizationManager
                              .isActualTransactionActive());
                      insideCreation.countDown();
                      awaitLatch(release);
                      return new Idempotency.Created(
                          org.springframework.http.HttpStatus.OK, "/v1/things/1", List.of(1));
                    }));
    assertThat(insideCreation.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Throwable meanwhile =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                idempotency.executeReserved(
                    tenant.id(),
                    "slow-render",
                    "fingerprint",
                    () -> {
                      throw new AssertionError("must not create twice");
                    }));
    release.countDown();
    var answered = first.join();
    var replayed =
        idempotency.executeReserved(
            tenant.id(),
            "slow-render",
            "fingerprint",
            () -> {
              throw new AssertionError("must not create twice");
            });

    assertThat(transactionActive).isFalse();
    assertThat(meanwhile)
        .isInstanceOf(ApiProblem.class)
        .hasMessage(
            "A request with the Idempotency-Key 'slow-render' is still being processed; retry it"
                + " in a moment to get its answer.");
    assertThat(((ApiProblem) meanwhile).status().value()).isEqualTo(409);
    assertThat(answered.getStatusCode().value()).isEqualTo(200);
    assertThat(replayed.getBody()).isEqualTo(answered.getBody()).isEqualTo("[1]");
    assertThat(replayed.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("true");
  }

  @Test
  void aReservedCreationThatFailsFreesItsKey() {
    TestTenant tenant = newTenant();

    Throwable failed =
        org.assertj.core.api.Assertions.catchThrowable(
            () ->
                idempotency.executeReserved(
                    tenant.id(),
                    "fails-once",
                    "fingerprint",
                    () -> {
                      throw ApiProblem.badRequest("no");
                    }));
    var retried =
        idempotency.executeReserved(
            tenant.id(),
            "fails-once",
            "fingerprint",
            () -> new Idempotency.Created(org.springframework.http.HttpStatus.OK, null, "ok"));

    assertThat(failed).isInstanceOf(ApiProblem.class);
    assertThat(retried.getHeaders().getFirst("Idempotent-Replayed")).isEqualTo("false");
  }

  private static void awaitLatch(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Response create(TestTenant tenant, String token, String key) {
    return api.postMultipart(
        "/v1/concepts", tenant.key(), validConcept(token), "Idempotency-Key", key);
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
