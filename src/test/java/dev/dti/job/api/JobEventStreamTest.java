package dev.dti.job.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dti.DtiApplication;
import dev.dti.job.JobEvent;
import dev.dti.job.JobService;
import dev.dti.job.api.EventStreamClient.Comment;
import dev.dti.job.api.EventStreamClient.Event;
import dev.dti.job.api.EventStreamClient.Item;
import dev.dti.job.api.EventStreamClient.Retry;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.Multipart;
import dev.dti.support.TestDatabase;
import dev.dti.support.TestImages;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/jobs/{id}/events} served by this test's API-only process while the jobs run in a
 * separate worker process (a child JVM with {@code dti.roles=worker}): the two share nothing but
 * the PostgreSQL database, so every live event reached the stream through LISTEN/NOTIFY. The safety
 * poll is set to ten minutes, so it never delivers an event here.
 *
 * <p>Both processes use a database of their own on the test PostgreSQL server: the worker would
 * otherwise also claim the jobs other test classes leave queued.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestPropertySource(
    properties = {
      "dti.roles=api",
      "dti.events.heartbeat=200ms",
      "dti.events.poll-interval=10m",
      "dti.events.max-streams-per-tenant=3"
    })
class JobEventStreamTest {

  /** A tenant made for one test, with its clear API key. */
  record TestTenant(UUID id, String key) {}

  private static final Duration RUN = Duration.ofMinutes(5);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String DATABASE = "dti_sse_" + UUID.randomUUID().toString().replace("-", "");
  private static Path dir;
  private static Path model;
  private static Process worker;
  private static Path workerLog;

  @LocalServerPort int serverPort;
  @Autowired JdbcClient jdbc;
  @Autowired TenantService tenantService;
  @Autowired JobService jobService;
  ApiClient api;
  @Autowired JobEventStreams streams;

  @DynamicPropertySource
  static void ownDatabaseAndTinyModel(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", JobEventStreamTest::databaseUrl);
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", () -> tinyModel().toString());
  }

  @BeforeEach
  void apiClient() {
    api = new ApiClient(serverPort);
  }

  @BeforeAll
  static void startWorkerProcess() throws IOException {
    workerLog = tinyModel().resolveSibling("worker.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    var connection = TestDatabase.get();
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                DtiApplication.class.getName(),
                "--server.port=0",
                "--dti.roles=worker",
                "--dti.data-dir=" + dir.resolve("worker-data"),
                "--dti.model.dir=" + tinyModel(),
                "--spring.datasource.url=" + databaseUrl(),
                "--spring.datasource.username=" + connection.username(),
                "--spring.datasource.password=" + connection.password(),
                "--dti.worker.poll-interval=100ms",
                "--dti.training.progress-every=1",
                "--dti.training.views-per-image=1")
            .redirectErrorStream(true)
            .redirectOutput(workerLog.toFile());
    builder.environment().remove("DTI_API_KEY");
    builder.environment().put("DTI_DATABASE_URL", databaseUrl());
    builder.environment().put("DTI_DATABASE_USER", connection.username());
    builder.environment().put("DTI_DATABASE_PASSWORD", connection.password());
    worker = builder.start();
  }

  @AfterAll
  static void stopWorkerProcess() throws InterruptedException, IOException {
    if (worker != null) {
      worker.destroyForcibly();
      worker.waitFor(30, TimeUnit.SECONDS);
    }
    if (dir != null) {
      FileSystemUtils.deleteRecursively(dir);
    }
  }

  @Test
  void aClientSeesEveryEventOfAJobRunByAWorkerProcessExactlyAsTheOutboxHasThemEndingWithSucceeded()
      throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = trainingJob(tenant, "<watched>", 5);

    List<Event> received;
    try (EventStreamClient stream = open(tenant, jobId)) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.contentType()).startsWith("text/event-stream");
      received = stream.eventsUntilEnd(RUN);
    }

    List<JobEvent> outbox = jobService.events(jobId, 0);
    assertThat(received).as(workerOutput()).isEqualTo(expected(outbox));
    assertThat(received)
        .extracting(Event::name)
        .startsWith("queued", "started")
        .endsWith("progress", "succeeded")
        .containsSubsequence("started", "progress", "progress", "succeeded");
    JsonNode lastProgress = JSON.readTree(received.get(received.size() - 2).data());
    assertThat(lastProgress.get("currentStep").asInt()).isEqualTo(5);
    assertThat(lastProgress.get("totalSteps").asInt()).isEqualTo(5);
    assertThat(lastProgress.at("/detail/lastLoss").isNumber()).isTrue();
    assertThat(lastProgress.at("/detail/embeddingNorm").isNumber()).isTrue();
    assertThat(lastProgress.get("etaSeconds").isNumber()).isTrue();
    assertThat(received.stream().filter(e -> e.name().equals("progress")))
        .extracting(e -> JSON.readTree(e.data()).get("currentStep").asInt())
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(worker.isAlive()).as("the worker process runs on").isTrue();
  }

  @Test
  void resumingWithLastEventIdAfterADisconnectMidRunGivesExactlyTheRestWithoutGapOrDuplicate()
      throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = trainingJob(tenant, "<resumed>", 10);

    List<Event> beforeDisconnect = new ArrayList<>();
    try (EventStreamClient stream = open(tenant, jobId)) {
      for (Event event = stream.nextEvent(RUN); ; event = stream.nextEvent(RUN)) {
        beforeDisconnect.add(event);
        if (event.name().equals("progress")
            && JSON.readTree(event.data()).get("currentStep").asInt() >= 2) {
          break;
        }
      }
    }
    String lastSeen = beforeDisconnect.getLast().id();
    List<Event> afterReconnect;
    try (EventStreamClient stream = open(tenant, jobId, "Last-Event-ID", lastSeen)) {
      afterReconnect = stream.eventsUntilEnd(RUN);
    }

    List<Event> outbox = expected(jobService.events(jobId, 0));
    List<Event> both = new ArrayList<>(beforeDisconnect);
    both.addAll(afterReconnect);
    assertThat(both).as(workerOutput()).isEqualTo(outbox);
    assertThat(afterReconnect.getFirst().name())
        .as("the run was still going when the client came back")
        .isEqualTo("progress");
    assertThat(afterReconnect.getLast().name()).isEqualTo("succeeded");

    // A client that cannot set headers resumes with the query parameter; the job has finished, so
    // it gets the rest of the history and then the end of the stream.
    try (EventStreamClient late =
        EventStreamClient.open(
            serverPort, "/v1/jobs/" + jobId + "/events?lastEventId=" + lastSeen, tenant.key())) {
      assertThat(late.eventsUntilEnd(Duration.ofSeconds(30))).isEqualTo(afterReconnect);
    }
  }

  @Test
  void anIdleStreamGetsTheRetryHintAndHeartbeatComments() throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = idleJob(tenant);

    List<Item> items = new ArrayList<>();
    try (EventStreamClient stream = open(tenant, jobId)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (items.stream().filter(Comment.class::isInstance).count() < 3
          && System.nanoTime() < deadline) {
        Item item = stream.next(Duration.ofSeconds(1));
        if (item != null) {
          items.add(item);
        }
      }
    }

    assertThat(items.getFirst()).isEqualTo(new Retry(3000));
    assertThat(items.get(1))
        .isInstanceOfSatisfying(
            EventStreamClient.Dispatched.class,
            queued -> assertThat(queued.event().name()).isEqualTo("queued"));
    assertThat(items.subList(2, items.size())).containsOnly(new Comment("heartbeat")).hasSize(3);
  }

  @Test
  void anotherTenantsJobIsNotFound() throws Exception {
    TestTenant owner = newTenant();
    TestTenant other = newTenant();
    UUID jobId = idleJob(owner);

    try (EventStreamClient stream = open(other, jobId)) {
      assertThat(stream.status()).isEqualTo(404);
      assertThat(stream.contentType()).isEqualTo("application/problem+json");
    }
    var problem = api.get("/v1/jobs/" + jobId + "/events", other.key());
    assertThat(problem.status()).isEqualTo(404);
    assertThat(problem.json().get("detail").asString())
        .isEqualTo("There is no job with id " + jobId + ".");
  }

  @Test
  void aClientThatDisconnectsIsForgottenAtItsNextHeartbeat() throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = idleJob(tenant);
    int before = streams.openStreams();

    EventStreamClient stream = open(tenant, jobId);
    assertThat(stream.nextEvent(Duration.ofSeconds(10)).name()).isEqualTo("queued");
    assertThat(streams.openStreams()).isEqualTo(before + 1);
    stream.close();

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> streams.openStreams() == before);
  }

  @Test
  void aTenantWithTooManyOpenStreamsIsRefusedWith429AndTheRestStayOpen() throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = idleJob(tenant);
    List<EventStreamClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(open(tenant, jobId));
        assertThat(open.getLast().nextEvent(Duration.ofSeconds(10)).name()).isEqualTo("queued");
      }

      var refused = api.get("/v1/jobs/" + jobId + "/events", tenant.key());

      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.header("Retry-After")).isEqualTo("3");
      assertThat(refused.json().get("detail").asString())
          .isEqualTo("This API key's tenant already has 3 open event streams; close one first.");
      assertThat(open(newTenant(), idleJob(newTenant())).status())
          .as("another tenant's job is still a 404, not a 429")
          .isEqualTo(404);
    } finally {
      for (EventStreamClient stream : open) {
        stream.close();
      }
    }
  }

  @Test
  void aBrokenListenConnectionIsReplacedAndOpenStreamsKeepGettingEvents() throws Exception {
    TestTenant tenant = newTenant();
    UUID jobId = idleJob(tenant);
    try (EventStreamClient stream = open(tenant, jobId)) {
      assertThat(stream.nextEvent(Duration.ofSeconds(10)).name()).isEqualTo("queued");
      int listener =
          await().atMost(Duration.ofSeconds(10)).until(this::listenerPid, pid -> pid > 0);

      jdbc.sql("SELECT pg_terminate_backend(:pid)").param("pid", listener).query().singleValue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(this::listenerPid, pid -> pid > 0 && pid != listener);
      api.post("/v1/jobs/" + jobId + "/cancel", tenant.key());

      // The safety poll is ten minutes away: only the new connection's notification is this fast.
      Event canceled = stream.nextEvent(Duration.ofSeconds(20));
      assertThat(canceled.name()).isEqualTo("canceled");
      assertThat(stream.nextEvent(Duration.ofSeconds(10))).as("the end of the stream").isNull();
    }
  }

  /** The backend pid of this process's LISTEN connection, 0 while there is none. */
  private int listenerPid() {
    return jdbc.sql(
            """
            SELECT coalesce(max(pid), 0) FROM pg_stat_activity
            WHERE application_name = 'dti-job-events-listener' AND datname = current_database()
            """)
        .query(Integer.class)
        .single();
  }

  @Test
  void aMalformedLastEventIdIsABadRequest() {
    TestTenant tenant = newTenant();
    UUID jobId = idleJob(tenant);

    var response = api.get("/v1/jobs/" + jobId + "/events?lastEventId=soon", tenant.key());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .isEqualTo("lastEventId: must be an event id (an integer of 0 or more), got 'soon'");
  }

  @Test
  void thisProcessIsApiOnlyOnItsOwnDatabase() {
    assertThat(jdbc.sql("SELECT current_database()").query(String.class).single())
        .isEqualTo(DATABASE);
  }

  private TestTenant newTenant() {
    CreatedTenant created = tenantService.createTenant("test-" + UUID.randomUUID());
    return new TestTenant(created.tenant().id(), created.key().key());
  }

  /** The SSE events the outbox rows must give, one for one. */
  private static List<Event> expected(List<JobEvent> outbox) {
    return outbox.stream()
        .map(
            row -> {
              ObjectNode data = JSON.createObjectNode();
              data.put("id", row.id());
              data.put("jobId", row.jobId().toString());
              data.put("type", row.type());
              data.put("reason", row.reason());
              data.put("createdAt", row.createdAt().toString());
              data.setAll((ObjectNode) JSON.readTree(row.dataJson()));
              return new Event(Long.toString(row.id()), row.type(), JSON.writeValueAsString(data));
            })
        .toList();
  }

  private EventStreamClient open(TestTenant tenant, UUID jobId, String... headers) {
    return EventStreamClient.open(
        serverPort, "/v1/jobs/" + jobId + "/events", tenant.key(), headers);
  }

  private UUID trainingJob(TestTenant tenant, String token, int steps) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Blob")
            .field("token", token)
            .field("initializer", "a")
            .field("steps", Integer.toString(steps))
            .field("batchSize", "1");
    var response = api.postMultipart("/v1/concepts", tenant.key(), form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return UUID.fromString(response.json().at("/job/id").asString());
  }

  /** A job no worker claims (no process has a handler for its kind): it stays queued. */
  private UUID idleJob(TestTenant tenant) {
    return jobService.enqueue(tenant.id(), "sse-test-idle", "{}", 0).id();
  }

  private static String workerOutput() {
    try {
      return "worker process output:\n" + Files.readString(workerLog);
    } catch (IOException e) {
      return "worker process output unreadable: " + e.getMessage();
    }
  }

  private static synchronized Path tinyModel() {
    if (model == null) {
      try {
        dir = Files.createTempDirectory("dti-sse-test");
        model = TinyModelFolder.create(dir.resolve("model"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return model;
  }

  /** The test server's URL with a database of this class's own, created on first use. */
  private static synchronized String databaseUrl() {
    var server = TestDatabase.get();
    String url = server.url().replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + DATABASE);
    try (var connection =
            DriverManager.getConnection(server.url(), server.username(), server.password());
        var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, DATABASE);
      if (!exists.executeQuery().next()) {
        try (var create = connection.createStatement()) {
          create.execute("CREATE DATABASE " + DATABASE);
        }
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Could not create the test database " + DATABASE, e);
    }
    return url;
  }
}
