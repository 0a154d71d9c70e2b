package dev.dti.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Talks HTTP to the running service, the way a client does; never throws on an error status. */
public final class ApiClient {

  /** A response: status, headers, the raw body and the body as JSON. */
  public record Response(int status, HttpHeaders headers, byte[] bytes) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public String body() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      return JSON.readTree(bytes);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final String baseUrl;

  public ApiClient(int port) {
    this.baseUrl = "http://localhost:" + port;
  }

  public Response get(String path, String apiKey) {
    return send(request(path, apiKey).GET());
  }

  public Response delete(String path, String apiKey) {
    return send(request(path, apiKey).DELETE());
  }

  public Response post(String path, String apiKey) {
    return send(request(path, apiKey).POST(BodyPublishers.noBody()));
  }

  public Response postJson(String path, String apiKey, String json) {
    return send(
        request(path, apiKey)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(json)));
  }

  /** A JSON POST with an {@code Idempotency-Key}. */
  public Response postJson(String path, String apiKey, String json, String idempotencyKey) {
    return postRaw(
        path,
        apiKey,
        "application/json",
        json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "Idempotency-Key",
        idempotencyKey);
  }

  public Response putJson(String path, String apiKey, String json) {
    return send(
        request(path, apiKey)
            .header("Content-Type", "application/json")
            .PUT(BodyPublishers.ofString(json)));
  }

  public Response postMultipart(String path, String apiKey, Multipart form, String... headers) {
    return postRaw(path, apiKey, form.contentType(), form.bytes(), headers);
  }

  public Response postRaw(
      String path, String apiKey, String contentType, byte[] body, String... headers) {
    HttpRequest.Builder builder =
        request(path, apiKey)
            .header("Content-Type", contentType)
            .POST(BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    return send(builder);
  }

  private HttpRequest.Builder request(String path, String apiKey) {
    List<String> headers = new ArrayList<>();
    if (apiKey != null) {
      headers.add("Authorization");
      headers.add("Bearer " + apiKey);
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path));
    for (int i = 0; i < headers.size(); i += 2) {
      builder.header(headers.get(i), headers.get(i + 1));
    }
    return builder;
  }

  private Response send(HttpRequest.Builder request) {
    try {
      var response = http.send(request.build(), BodyHandlers.ofByteArray());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
