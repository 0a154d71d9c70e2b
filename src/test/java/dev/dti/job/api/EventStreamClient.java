package dev.dti.job.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client as the specification describes one: reads the response body line by
 * line as it arrives (java.net.http with a streaming body), dispatches an event at each blank line,
 * and records comments and the {@code retry:} hint. One reader thread per stream.
 */
final class EventStreamClient implements AutoCloseable {

  /** A dispatched event: its {@code id:}, {@code event:} and (joined) {@code data:} fields. */
  record Event(String id, String name, String data) {}

  /** What the reader saw, in order: an event, a comment line, a retry hint, or the end. */
  sealed interface Item {}

  record Dispatched(Event event) implements Item {}

  record Comment(String text) implements Item {}

  record Retry(long millis) implements Item {}

  record End(String reason) implements Item {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final HttpResponse<InputStream> response;
  private final BlockingQueue<Item> items = new LinkedBlockingQueue<>();
  private final Thread reader;

  private EventStreamClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader =
        Thread.ofPlatform().name("sse-test-reader").daemon().start(() -> read(response.body()));
  }

  /** Opens {@code path}; {@code headers} are name, value pairs. Returns once headers arrived. */
  static EventStreamClient open(int port, String path, String apiKey, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Accept", "text/event-stream")
            .GET();
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return new EventStreamClient(HTTP.send(request.build(), BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int status() {
    return response.statusCode();
  }

  String contentType() {
    return response.headers().firstValue("Content-Type").orElse(null);
  }

  /** The next item, or null when none arrived within {@code timeout}. */
  Item next(Duration timeout) throws InterruptedException {
    return items.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next event (skipping comments and retry hints), or null at the end of the stream. */
  Event nextEvent(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Item item = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (item == null) {
        throw new AssertionError("no event within " + timeout);
      }
      if (item instanceof Dispatched dispatched) {
        return dispatched.event();
      }
      if (item instanceof End) {
        return null;
      }
    }
  }

  /** Every event until the server ends the stream. */
  List<Event> eventsUntilEnd(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Event> events = new ArrayList<>();
    for (Event event = nextEvent(timeout); event != null; ) {
      events.add(event);
      event = nextEvent(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }
    return events;
  }

  /** Hangs up, as a browser tab that closes does. */
  @Override
  public void close() throws IOException {
    response.body().close();
    reader.interrupt();
  }

  private void read(InputStream body) {
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String name = null;
      StringBuilder data = null;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (data != null) {
            items.add(
                new Dispatched(new Event(id, name == null ? "message" : name, data.toString())));
          }
          name = null;
          data = null;
          continue;
        }
        if (line.startsWith(":")) {
          items.add(new Comment(line.substring(1).strip()));
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "id" -> id = value;
          case "event" -> name = value;
          case "data" ->
              data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          case "retry" -> items.add(new Retry(Long.parseLong(value)));
          default -> {}
        }
      }
      items.add(new End("the server ended the stream"));
    } catch (IOException e) {
      items.add(new End("closed: " + e.getMessage()));
    }
  }
}
