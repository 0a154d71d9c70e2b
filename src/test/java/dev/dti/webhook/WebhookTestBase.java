package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.TestDatabase;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One context for the webhook tests: an API process on a tiny model whose guard lets 127.0.0.0/8
 * and plain http through (the receiver runs on 127.0.0.1), with a retry schedule of seconds. Host
 * names resolve from {@link #DNS}, a table the tests fill (see {@link TableDns}).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "dti.roles=api",
      "dti.webhooks.allowed-networks=127.0.0.0/8",
      "dti.webhooks.allow-http=true",
      "dti.webhooks.retry-schedule=0s,1s,1s",
      "dti.webhooks.poll-interval=100ms",
      "dti.webhooks.timeout=5s",
      "dti.webhooks.senders=4",
      "dti.training.checkpoint-every=2",
      "dti.training.progress-every=1",
      "dti.training.preview-every=100",
      "dti.generation.sync-budget=8"
    })
@Import(TableDns.class)
abstract class WebhookTestBase {

  static final Map<String, String> DNS = new ConcurrentHashMap<>();
  static final WebhookReceiver RECEIVER = new WebhookReceiver();
  private static final Path MODEL = tinyModel();
  private static final TestDatabase.Connection DATABASE = ownDatabase();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", DATABASE::url);
    registry.add("spring.datasource.username", DATABASE::username);
    registry.add("spring.datasource.password", DATABASE::password);
    registry.add("dti.model.dir", MODEL::toString);
  }

  /**
   * A database of its own on the test server: the other test contexts run dispatchers and senders
   * too (each is an API process), and theirs would refuse this receiver's loopback address.
   */
  private static TestDatabase.Connection ownDatabase() {
    return TestDatabase.createDatabase("webhooks");
  }

  @LocalServerPort int port;
  @Autowired TenantService tenants;
  @Autowired JdbcClient jdbc;

  ApiClient api;
  String key;
  UUID tenantId;

  @BeforeEach
  void tenant() {
    api = new ApiClient(port);
    var created = tenants.createTenant("webhooks-" + UUID.randomUUID());
    key = created.key().key();
    tenantId = created.tenant().id();
  }

  /** A path of the receiver no other test uses. */
  static String freshPath() {
    return "/" + UUID.randomUUID();
  }

  /** Registers an endpoint and returns the answer (with its secret). */
  JsonNode register(String url, String... events) {
    Response response = api.postJson("/v1/webhooks", key, createBody(url, events));
    assertThat(response.status()).as(response.body()).isEqualTo(201);
    return response.json();
  }

  static String createBody(String url, String... events) {
    StringBuilder list = new StringBuilder();
    for (String event : events) {
      list.append(list.isEmpty() ? "" : ",").append('"').append(event).append('"');
    }
    return "{\"url\":\"" + url + "\",\"events\":[" + list + "],\"description\":\"test\"}";
  }

  JsonNode deliveries(String webhookId) {
    Response response = api.get("/v1/webhooks/" + webhookId + "/deliveries", key);
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return response.json();
  }

  private static Path tinyModel() {
    try {
      return TinyModelFolder.create(Files.createTempDirectory("dti-tiny-model"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
