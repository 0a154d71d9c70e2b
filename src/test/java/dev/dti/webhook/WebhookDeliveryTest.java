package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.standardwebhooks.exceptions.WebhookVerificationException;
import dev.dti.generation.GenerationReads;
import dev.dti.job.JobHandler;
import dev.dti.job.JobRepository;
import dev.dti.job.JobService;
import dev.dti.job.WorkerPool;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.Multipart;
import dev.dti.support.TestImages;
import dev.dti.support.TestWorkers;
import dev.dti.webhook.WebhookReceiver.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivery to a real receiver: what arrives, in which order, signed how, and what happens when the
 * receiver fails, is gone, is slow, or its name starts resolving to a private address.
 */
class WebhookDeliveryTest extends WebhookTestBase {

  @Autowired JobRepository jobRepository;
  @Autowired JobService jobs;

  @Autowired List<JobHandler> handlers;

  @Autowired JobEventDispatcher dispatcher;
  @Autowired WebhookSender sender;
  @Autowired WebhookRepository webhookRepository;
  @Autowired WebhookHistoryCleaner cleaner;
  @Autowired WebhookService webhookService;
  @Autowired GenerationReads generations;
  @Autowired TransactionTemplate transactions;
  @Autowired JsonMapper json;

  private WorkerPool pool;

  @AfterEach
  void stopWorkers() {
    if (pool != null) {
      pool.stop();
    }
    dispatcher.start();
    sender.start();
  }

  @Test
  void aTrainingJobsEventsArriveInOrderSignedAndCarryingTheJobAsTheApiShowsIt() throws Exception {
    String path = freshPath();
    // A name, not the literal: the sender connects to the address the guard checked.
    DNS.put("receiver.example", "127.0.0.1");
    JsonNode webhook =
        register(
            "http://receiver.example:" + RECEIVER.port() + path,
            "job.started",
            "job.progress",
            "job.succeeded",
            "job.failed");
    String secret = webhook.get("secret").asString();
    startWorkers();

    String jobId = createTrainingConcept("<hooked>", 6).at("/job/id").asString();

    await().atMost(Duration.ofMinutes(4)).until(() -> hasType(path, "job.succeeded"));
    List<Received> received = RECEIVER.at(path);
    assertThat(received.stream().map(Received::type))
        .containsExactly(
            "job.started",
            "job.progress",
            "job.progress",
            "job.progress",
            "job.progress",
            "job.progress",
            "job.progress",
            "job.succeeded");
    for (Received message : received) {
      message.verify(secret);
      assertThat(message.id()).startsWith("msg_");
      assertThat(message.json().at("/data/id").asString()).isEqualTo(jobId);
      assertThat(message.headers().get("content-type")).startsWith("application/json");
    }
    assertThat(received.stream().map(r -> r.json().at("/data/currentStep").asInt()))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 6);
    assertThat(received.getFirst().json().at("/data/state").asString()).isEqualTo("running");
    JsonNode succeeded = received.getLast().json();
    JsonNode rest = api.get("/v1/jobs/" + jobId, key).json();
    for (String field :
        List.of(
            "id",
            "kind",
            "conceptId",
            "state",
            "progress",
            "totalSteps",
            "lastLoss",
            "embeddingNorm",
            "attempts",
            "createdAt",
            "startedAt",
            "finishedAt")) {
      assertThat(succeeded.at("/data/" + field)).as(field).isEqualTo(rest.get(field));
    }
    assertThat(succeeded.get("timestamp").asString()).endsWith("Z");
  }

  @Test
  void aGenerationJobsEndIsSentAsTheGenerationTheApiShows() throws Exception {
    String path = freshPath();
    JsonNode webhook = register(RECEIVER.url(path), "generation.succeeded", "job.succeeded");
    startWorkers();

    Response accepted =
        api.postJson(
            "/v1/generations",
            key,
            "{\"prompt\": \"a cup\", \"steps\": 5, \"seed\": 5, \"numImages\": 2}");

    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String generationId = accepted.json().get("id").asString();
    await().atMost(Duration.ofMinutes(2)).until(() -> hasType(path, "generation.succeeded"));
    await().atMost(Duration.ofSeconds(5)).until(() -> RECEIVER.at(path).size() == 2);
    assertThat(RECEIVER.at(path).stream().map(Received::type))
        .containsExactly("job.succeeded", "generation.succeeded");
    Received generation = RECEIVER.at(path).get(1);
    generation.verify(webhook.get("secret").asString());
    JsonNode data = generation.json().get("data");
    JsonNode rest = api.get("/v1/generations/" + generationId, key).json();
    assertThat(data.get("id").asString()).isEqualTo(generationId);
    assertThat(data.get("state").asString()).isEqualTo("succeeded");
    assertThat(data.get("images")).hasSize(2).isEqualTo(rest.get("images"));
    assertThat(data.at("/job/id")).isEqualTo(rest.at("/job/id"));
    assertThat(RECEIVER.at(path).getFirst().json().at("/data/kind").asString())
        .isEqualTo("generation");
  }

  @Test
  void aFailedAttemptIsRetriedWithTheSameWebhookIdUntilA2xx() throws Exception {
    String path = freshPath();
    RECEIVER.answer(path, 500, 503);
    JsonNode webhook = register(RECEIVER.url(path), "job.succeeded");
    String id = webhook.get("id").asString();

    ping(id);

    await().atMost(Duration.ofSeconds(20)).until(() -> RECEIVER.at(path).size() == 3);
    List<Received> attempts = RECEIVER.at(path);
    assertThat(attempts.stream().map(Received::id).distinct()).hasSize(1);
    for (Received attempt : attempts) {
      attempt.verify(webhook.get("secret").asString());
      assertThat(attempt.type()).isEqualTo("webhook.test");
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> delivery(id).get("state").asString().equals("succeeded"));
    JsonNode delivery = delivery(id);
    assertThat(delivery.get("id").asString()).isEqualTo(attempts.getFirst().id());
    assertThat(delivery.get("attempts").findValuesAsString("statusCode"))
        .containsExactly("204", "503", "500");
    assertThat(delivery.at("/attempts/1/error").asString())
        .isEqualTo("The endpoint answered 503; only a 2xx answer counts as delivered.");
    assertThat(delivery.at("/attempts/0").has("error")).isFalse();
  }

  @Test
  void aMessageFailsForGoodAfterTheLastWaitOfTheSchedule() {
    String path = freshPath();
    RECEIVER.answer(path, 500, 500, 500, 500);
    String id = register(RECEIVER.url(path), "job.succeeded").get("id").asString();

    ping(id);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> delivery(id).get("state").asString().equals("failed"));
    assertThat(RECEIVER.at(path)).hasSize(3);
    assertThat(delivery(id).get("failures").asInt()).isEqualTo(3);
  }

  @Test
  void theHistoryOfAnEndedMessageIsDeletedAfterTheRetentionAndAPendingOneIsKept() {
    String path = freshPath();
    RECEIVER.answer(path, 500, 500, 500);
    String id = register(RECEIVER.url(path), "job.succeeded").get("id").asString();
    ping(id);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> delivery(id).get("state").asString().equals("failed"));
    String messageId = delivery(id).get("id").asString();
    sender.stop(); // restarted after each test
    String waiting = register(RECEIVER.url(freshPath()), "job.succeeded").get("id").asString();
    ping(waiting);
    String pendingId = delivery(waiting).get("id").asString();

    int early = cleaner.removeEnded(java.time.Instant.now());
    int afterRetention = cleaner.removeEnded(java.time.Instant.now().plus(Duration.ofDays(31)));

    assertThat(early).isZero();
    assertThat(afterRetention).isPositive();
    assertThat(messageCount(messageId)).isZero();
    assertThat(delivery(waiting).get("state").asString()).isEqualTo("pending");
    assertThat(messageCount(pendingId)).isEqualTo(1);
  }

  private long messageCount(String messageId) {
    return jdbc.sql("SELECT count(*) FROM webhook_messages WHERE id = :id")
        .param("id", messageId)
        .query(Long.class)
        .single();
  }

  @Test
  void a410DisablesTheEndpointAndCancelsItsPendingMessages() {
    String path = freshPath();
    RECEIVER.answer(path, 410);
    RECEIVER.delay(path, Duration.ofMillis(800));
    String id = register(RECEIVER.url(path), "job.succeeded").get("id").asString();

    ping(id);
    await().atMost(Duration.ofSeconds(5)).until(() -> lockedMessages(id) == 1);
    ping(id);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.get("/v1/webhooks/" + id, key).json().get("disabled").asBoolean());
    JsonNode webhook = api.get("/v1/webhooks/" + id, key).json();
    assertThat(webhook.get("disabledReason").asString()).isEqualTo("it answered 410 Gone");
    assertThat(deliveries(id).get("items").findValuesAsString("state"))
        .containsExactly("canceled", "failed");
    assertThat(RECEIVER.at(path)).hasSize(1);
    Response again = api.post("/v1/webhooks/" + id + "/test", key);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("detail").asString())
        .isEqualTo("Webhook " + id + " is disabled (it answered 410 Gone); register it again.");
  }

  @Test
  void aSlowReceiverDoesNotHoldUpAnotherEndpoint() {
    String slowPath = freshPath();
    String fastPath = freshPath();
    RECEIVER.delay(slowPath, Duration.ofSeconds(4));
    String slow = register(RECEIVER.url(slowPath), "job.succeeded").get("id").asString();
    String fast = register(RECEIVER.url(fastPath), "job.succeeded").get("id").asString();

    ping(slow);
    ping(slow);
    await().atMost(Duration.ofSeconds(5)).until(() -> lockedMessages(slow) == 1);
    ping(fast);
    ping(fast);
    ping(fast);

    await().atMost(Duration.ofSeconds(3)).until(() -> RECEIVER.at(fastPath).size() == 3);
    assertThat(RECEIVER.at(slowPath)).isEmpty();
    await().atMost(Duration.ofSeconds(15)).until(() -> RECEIVER.at(slowPath).size() == 2);
  }

  @Test
  void eventsWrittenWhileTheSendersAreStoppedAreDeliveredAfterARestart() {
    String path = freshPath();
    register(RECEIVER.url(path), "job.canceled", "concept.deleted");
    dispatcher.stop();
    sender.stop();

    var job = jobs.enqueue(tenantId, "webhook-test", "{}", 1);
    jobs.cancel(tenantId, job.id());
    String conceptId = createPlainConcept("<gone>");
    assertThat(api.delete("/v1/concepts/" + conceptId, key).status()).isEqualTo(204);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(2))
        .until(() -> RECEIVER.at(path).isEmpty());

    dispatcher.start();
    sender.start();

    await().atMost(Duration.ofSeconds(10)).until(() -> RECEIVER.at(path).size() == 3);
    assertThat(RECEIVER.at(path).stream().map(Received::type))
        .containsExactlyInAnyOrder("job.canceled", "job.canceled", "concept.deleted");
    Received deleted =
        RECEIVER.at(path).stream()
            .filter(r -> r.type().equals("concept.deleted"))
            .findFirst()
            .orElseThrow();
    assertThat(deleted.json().get("data").toString())
        .isEqualTo("{\"id\":\"" + conceptId + "\",\"token\":\"<gone>\",\"name\":\"Rabbit plush\"}");
    assertThat(RECEIVER.at(path).stream().map(r -> r.json().at("/data/id").asString()))
        .contains(job.id().toString());
  }

  @Test
  void afterARotationBothSecretsVerifyUntilTheGracePeriodEnds() throws Exception {
    String path = freshPath();
    JsonNode webhook = register(RECEIVER.url(path), "job.succeeded");
    String id = webhook.get("id").asString();
    String oldSecret = webhook.get("secret").asString();
    String newSecret =
        api.post("/v1/webhooks/" + id + "/rotate-secret", key).json().get("secret").asString();

    ping(id);
    await().atMost(Duration.ofSeconds(5)).until(() -> RECEIVER.at(path).size() == 1);
    Received rotated = RECEIVER.at(path).getFirst();
    assertThat(rotated.headers().get("webhook-signature").split(" ")).hasSize(2);
    rotated.verify(newSecret);
    rotated.verify(oldSecret);

    jdbc.sql(
            "UPDATE webhook_endpoints SET previous_secret_expires_at = now() WHERE id = CAST(:id AS uuid)")
        .param("id", id)
        .update();
    ping(id);
    await().atMost(Duration.ofSeconds(5)).until(() -> RECEIVER.at(path).size() == 2);
    Received later = RECEIVER.at(path).get(1);
    later.verify(newSecret);
    assertThatThrownBy(() -> later.verify(oldSecret))
        .isInstanceOf(WebhookVerificationException.class);
  }

  @Test
  void aHostThatResolvesToAPrivateAddressAtDeliveryIsNotContacted() {
    String path = freshPath();
    DNS.put("rebinding.example", "93.184.215.14");
    String id =
        register("http://rebinding.example:" + RECEIVER.port() + path, "job.succeeded")
            .get("id")
            .asString();
    DNS.put("rebinding.example", "10.0.0.7");

    ping(id);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> delivery(id).get("state").asString().equals("failed"));
    JsonNode attempt = delivery(id).at("/attempts/0");
    assertThat(attempt.has("statusCode")).as(attempt.toString()).isFalse();
    assertThat(attempt.get("error").asString())
        .isEqualTo(
            "Not sent: rebinding.example resolves to 10.0.0.7, a private address (10.0.0.0/8);"
                + " webhooks are only sent to public addresses.");
  }

  @Test
  void resendingSendsTheSameMessageAgainWithItsId() {
    String path = freshPath();
    String id = register(RECEIVER.url(path), "job.succeeded").get("id").asString();
    ping(id);
    await().atMost(Duration.ofSeconds(5)).until(() -> RECEIVER.at(path).size() == 1);
    String messageId = RECEIVER.at(path).getFirst().id();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> delivery(id).get("state").asString().equals("succeeded"));

    Response resent = api.post("/v1/webhooks/" + id + "/deliveries/" + messageId + "/resend", key);

    assertThat(resent.status()).as(resent.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(5)).until(() -> RECEIVER.at(path).size() == 2);
    assertThat(RECEIVER.at(path).get(1).id()).isEqualTo(messageId);
    assertThat(RECEIVER.at(path).get(1).body()).isEqualTo(RECEIVER.at(path).getFirst().body());
  }

  @Test
  void progressIsSentAtMostOncePerTenPercentOfAJob() {
    String path = freshPath();
    register(RECEIVER.url(path), "job.progress", "job.succeeded");
    String kind = "throttled-" + UUID.randomUUID();
    UUID jobId = jobs.enqueue(tenantId, kind, "{}", 20).id();
    jobRepository.claimNext(List.of(kind), "test-worker", Duration.ofMinutes(1)).orElseThrow();

    for (int step = 1; step <= 20; step++) {
      jobRepository.updateProgress(jobId, "test-worker", step, 20, step / 20.0, null, null);
    }
    jobRepository.markSucceeded(jobId, "test-worker", null);

    await().atMost(Duration.ofSeconds(10)).until(() -> hasType(path, "job.succeeded"));
    assertThat(
            RECEIVER.at(path).stream()
                .filter(r -> r.type().equals("job.progress"))
                .map(r -> r.json().at("/data/currentStep").asInt()))
        .containsExactly(1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
  }

  @Test
  void twoDispatchersRunningAtOnceFanEachEventOutOnce() throws Exception {
    String path = freshPath();
    String id = register(RECEIVER.url(path), "job.canceled").get("id").asString();
    dispatcher.stop();
    for (int i = 0; i < 30; i++) {
      jobs.cancel(tenantId, jobs.enqueue(tenantId, "webhook-test", "{}", 1).id());
    }
    JobEventDispatcher other =
        new JobEventDispatcher(
            webhookRepository,
            webhookService,
            jobs,
            generations,
            transactions,
            json,
            Duration.ofMillis(100),
            () -> {});

    try (ExecutorService replicas = Executors.newFixedThreadPool(2)) {
      List<Future<?>> runs = new ArrayList<>();
      for (JobEventDispatcher replica : List.of(dispatcher, other)) {
        runs.add(
            replicas.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    replica.dispatchBatch();
                  }
                }));
      }
      for (Future<?> run : runs) {
        run.get();
      }
    }

    assertThat(
            jdbc.sql("SELECT count(*) FROM webhook_messages WHERE endpoint_id = CAST(:id AS uuid)")
                .param("id", id)
                .query(Long.class)
                .single())
        .isEqualTo(30);
  }

  // ---- helpers ----

  private void ping(String webhookId) {
    Response response = api.post("/v1/webhooks/" + webhookId + "/test", key);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
  }

  /** The newest delivery of the endpoint. */
  private JsonNode delivery(String webhookId) {
    return deliveries(webhookId).at("/items/0");
  }

  private long lockedMessages(String webhookId) {
    return jdbc.sql(
            "SELECT count(*) FROM webhook_messages WHERE endpoint_id = CAST(:id AS uuid)"
                + " AND locked_until > now()")
        .param("id", webhookId)
        .query(Long.class)
        .single();
  }

  private static boolean hasType(String path, String type) {
    return RECEIVER.at(path).stream().anyMatch(r -> r.type().equals(type));
  }

  private JsonNode createTrainingConcept(String token, int steps) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Blob")
            .field("token", token)
            .field("initializer", "a")
            .field("steps", Integer.toString(steps))
            .field("batchSize", "2")
            .field("learningRate", "0.05")
            .field("seed", "7");
    Response response = api.postMultipart("/v1/concepts", key, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response.json();
  }

  /** A concept whose training job nobody runs (no workers): it stays queued. */
  private String createPlainConcept(String token) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Rabbit plush")
            .field("token", token)
            .field("initializer", "rabbit");
    Response response = api.postMultipart("/v1/concepts", key, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response.json().at("/concept/id").asString();
  }

  private void startWorkers() {
    pool = TestWorkers.start(jobRepository, handlers);
  }
}
