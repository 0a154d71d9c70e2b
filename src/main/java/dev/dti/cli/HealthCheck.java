package dev.dti.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * {@code health [URL]}: one HTTP GET, exit code 0 on a 2xx answer and 1 on any other answer or none
 * within {@link #TIMEOUT}. Container health checks run it, so an image needs neither curl nor a
 * shell; it starts neither Spring nor DJL, so a probe costs one small JVM start. Without a URL it
 * asks this process's own readiness endpoint on {@code SERVER_PORT} (8080 when unset).
 *
 * <pre>
 * java -jar dti-service.jar health
 * java -jar dti-service.jar health http://localhost:8080/actuator/health/liveness
 * </pre>
 */
public final class HealthCheck implements CommandGroup {

  /** Connect and answer timeout: well below the 5–10 s probe timeouts orchestrators default to. */
  static final Duration TIMEOUT = Duration.ofSeconds(3);

  private static final String USAGE =
      "usage: health [URL]   (exit 0 on a 2xx answer, else 1; default: this host's readiness)";
  private static final int BODY_CHARS = 200;

  private final PrintStream out;
  private final Duration timeout;
  private final Map<String, String> environment;

  public HealthCheck() {
    this(System.out, TIMEOUT, System.getenv());
  }

  HealthCheck(PrintStream out, Duration timeout, Map<String, String> environment) {
    this.out = out;
    this.timeout = timeout;
    this.environment = environment;
  }

  @Override
  public String name() {
    return "health";
  }

  @Override
  public String summary() {
    return "GET a URL (default: own readiness), exit 0 on 2xx, else 1 (container health checks)";
  }

  @Override
  public int run(String[] args) throws InterruptedException {
    if (args.length > 1) {
      throw new IllegalArgumentException(USAGE);
    }
    URI uri = parse(args.length == 1 ? args[0] : ownReadinessUrl());
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build()) {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      out.println(status + " " + uri + " " + abbreviate(response.body()));
      return status >= 200 && status < 300 ? 0 : 1;
    } catch (IOException e) {
      out.println("no answer from " + uri + ": " + e);
      return 1;
    }
  }

  /** The readiness probe of a service on this host, on the port the service reads. */
  String ownReadinessUrl() {
    String port = environment.getOrDefault("SERVER_PORT", "").strip();
    return "http://localhost:" + (port.isEmpty() ? "8080" : port) + "/actuator/health/readiness";
  }

  private static URI parse(String text) {
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: '" + text + "'\n" + USAGE);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("not an http(s) URL: '" + text + "'\n" + USAGE);
    }
    return uri;
  }

  private static String abbreviate(String body) {
    String line = body.replaceAll("\\s+", " ").strip();
    return line.length() <= BODY_CHARS ? line : line.substring(0, BODY_CHARS) + "…";
  }
}
