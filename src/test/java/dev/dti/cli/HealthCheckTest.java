package dev.dti.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dti.Commands;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final HealthCheck check =
      new HealthCheck(
          new PrintStream(output, true, StandardCharsets.UTF_8), HealthCheck.TIMEOUT, Map.of());
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/up", exchange -> respond(exchange, 200, "{\"status\":\"UP\"}"));
    server.createContext("/down", exchange -> respond(exchange, 503, "{\"status\":\"DOWN\"}"));
    server.createContext(
        "/slow",
        exchange -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          respond(exchange, 200, "late");
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
  }

  @Test
  void exitsZeroOnA2xxAnswerAndPrintsStatusAndBody() throws Exception {
    assertThat(check.run(new String[] {url("/up")})).isZero();

    assertThat(output.toString(StandardCharsets.UTF_8))
        .isEqualTo("200 " + url("/up") + " {\"status\":\"UP\"}\n");
  }

  @Test
  void exitsOneOnA503() throws Exception {
    assertThat(check.run(new String[] {url("/down")})).isEqualTo(1);

    assertThat(output.toString(StandardCharsets.UTF_8)).startsWith("503 ");
  }

  @Test
  void exitsOneWhenTheAnswerTakesLongerThanTheTimeout() throws Exception {
    var impatient =
        new HealthCheck(
            new PrintStream(output, true, StandardCharsets.UTF_8),
            Duration.ofMillis(500),
            Map.of());
    long start = System.nanoTime();

    assertThat(impatient.run(new String[] {url("/slow")})).isEqualTo(1);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HealthCheck.TIMEOUT);
    assertThat(output.toString(StandardCharsets.UTF_8))
        .startsWith("no answer from " + url("/slow"));
  }

  @Test
  void exitsOneWhenNothingListens() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    assertThat(check.run(new String[] {"http://127.0.0.1:" + closedPort + "/"})).isEqualTo(1);
  }

  @Test
  void withoutAUrlAsksTheReadinessOfTheServiceOnThisHostOnServerPort() {
    assertThat(check.ownReadinessUrl())
        .isEqualTo("http://localhost:8080/actuator/health/readiness");
    assertThat(
            new HealthCheck(System.out, HealthCheck.TIMEOUT, Map.of("SERVER_PORT", "9090"))
                .ownReadinessUrl())
        .isEqualTo("http://localhost:9090/actuator/health/readiness");
  }

  @Test
  void refusesAnythingButOneHttpUrl() {
    assertThatThrownBy(() -> check.run(new String[] {"http://a", "http://b"}))
        .hasMessageStartingWith("usage: health");
    assertThatThrownBy(() -> check.run(new String[] {"localhost:8080"}))
        .hasMessageStartingWith("not an http(s) URL: 'localhost:8080'");
    assertThatThrownBy(() -> check.run(new String[] {"http://a b"}))
        .hasMessageStartingWith("not a URL: 'http://a b'");
  }

  @Test
  void isTheJarCommandHealth() {
    assertThat(Commands.find(new String[] {"health", url("/up")}))
        .containsInstanceOf(HealthCheck.class);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (var stream = exchange.getResponseBody()) {
      stream.write(bytes);
    }
  }
}
