package dev.dti.webhook;

import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request by path and answers what the
 * test scripted for that path (204 otherwise), after an optional delay.
 */
final class WebhookReceiver implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One request as received; header names in lower case. */
  record Received(String path, Map<String, String> headers, String body, Instant at) {

    JsonNode json() {
      return JSON.readTree(body);
    }

    String type() {
      return json().get("type").asString();
    }

    String id() {
      return headers.get("webhook-id");
    }

    /** Throws unless the reference library accepts the signature with {@code secret}. */
    void verify(String secret) throws Exception {
      new Webhook(secret)
          .verify(
              body,
              Map.of(
                  "webhook-id", List.of(headers.get("webhook-id")),
                  "webhook-timestamp", List.of(headers.get("webhook-timestamp")),
                  "webhook-signature", List.of(headers.get("webhook-signature"))));
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Integer>> statuses = new ConcurrentHashMap<>();
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:<port><path>} */
  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Answers these statuses to the next requests on {@code path}, then 204. */
  void answer(String path, Integer... answers) {
    statuses.computeIfAbsent(path, p -> new ArrayDeque<>()).addAll(List.of(answers));
  }

  void delay(String path, Duration delay) {
    delays.put(path, delay);
  }

  List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    byte[] body = exchange.getRequestBody().readAllBytes();
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
    Duration delay = delays.get(path);
    if (delay != null) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    received.add(
        new Received(path, headers, new String(body, StandardCharsets.UTF_8), Instant.now()));
    Deque<Integer> scripted = statuses.get(path);
    Integer status = scripted == null ? null : scripted.poll();
    int code = status == null ? 204 : status;
    exchange.sendResponseHeaders(code, -1);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
