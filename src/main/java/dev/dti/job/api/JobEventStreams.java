package dev.dti.job.api;

import dev.dti.job.Job;
import dev.dti.job.JobEvent;
import dev.dti.job.JobEventListener;
import dev.dti.job.JobService;
import dev.dti.job.JobState;
import dev.dti.web.ApiProblem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The open event streams of this process and the fan-out that feeds them.
 *
 * <p>A stream holds no request thread and no pooled connection while it waits: its {@link
 * SseEmitter} is an asynchronous response, and it is woken by {@link JobEventListener} (one LISTEN
 * connection for the whole process) when its job has new outbox rows, by the listener's safety
 * poll, and by the heartbeat timer. A woken stream reads the outbox after the last id it sent (one
 * short query on a pooled connection) and writes what it finds, on a virtual thread of its own, one
 * drain at a time per stream, so a slow client delays only itself. Reading by {@code id > cursor}
 * per job misses nothing: every transition of a job locks the job's row before its event takes the
 * next id, so one job's events commit in id order.
 *
 * <p>A stream ends after it sent a terminal event (succeeded, failed, canceled), after {@code
 * max-duration}, or when a write fails (the client went away); then it is forgotten at once.
 */
@Component
class JobEventStreams implements JobEventListener.Sink, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobEventStreams.class);
  private static final MediaType JSON_TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);
  private static final Set<String> TERMINAL_TYPES =
      Arrays.stream(JobState.values())
          .filter(JobState::isTerminal)
          .map(JobState::wireName)
          .collect(Collectors.toUnmodifiableSet());

  private final JobService jobs;
  private final JsonMapper json;
  private final EventStreamProperties properties;
  private final JobEventListener listener;
  private final ConcurrentHashMap<UUID, Set<Stream>> byJob = new ConcurrentHashMap<>();

  /** Open streams per tenant; a tenant without streams has no entry. */
  private final ConcurrentHashMap<UUID, Integer> perTenant = new ConcurrentHashMap<>();

  private final AtomicInteger open = new AtomicInteger();
  private final ExecutorService senders =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dti-events-", 0).factory());
  private final ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("dti-events-heartbeat").daemon().factory());
  private final AtomicBoolean fanOutStarted = new AtomicBoolean();
  private volatile boolean running;

  JobEventStreams(
      JobService jobs,
      JsonMapper json,
      EventStreamProperties properties,
      JdbcConnectionDetails database,
      MeterRegistry meters) {
    this.jobs = jobs;
    this.json = json;
    this.properties = properties;
    this.listener = new JobEventListener(() -> connect(database), properties.pollInterval(), this);
    Gauge.builder("dti.event.streams.open", open, AtomicInteger::get)
        .description("Open live progress streams (GET /v1/jobs/{id}/events) in this process")
        .register(meters);
  }

  /**
   * Opens a stream of {@code job}'s events after event {@code afterId} (0: from the first). The
   * caller has checked that the job belongs to the tenant asking.
   */
  SseEmitter open(Job job, long afterId) {
    if (!running) {
      throw ApiProblem.unavailable("The service is shutting down; reconnect to another instance.");
    }
    reserve(job.tenantId());
    startFanOut();
    SseEmitter emitter = new SseEmitter(properties.maxDuration().toMillis());
    // A finished job has all its events: after them the stream ends even when the client already
    // saw the terminal one.
    Stream stream =
        new Stream(job.id(), job.tenantId(), emitter, afterId, job.state().isTerminal());
    emitter.onCompletion(() -> forget(stream));
    emitter.onError(error -> forget(stream));
    emitter.onTimeout(
        () -> {
          forget(stream);
          emitter.complete();
        });
    byJob.compute(
        job.id(),
        (id, streams) -> {
          Set<Stream> withNew = streams == null ? ConcurrentHashMap.newKeySet() : streams;
          withNew.add(stream);
          return withNew;
        });
    try {
      emitter.send(SseEmitter.event().reconnectTime(properties.retry().toMillis()));
    } catch (IOException | IllegalStateException e) {
      forget(stream);
      throw new IllegalStateException("A new event stream could not be written", e);
    }
    stream.eventsPending.set(true);
    stream.wake();
    return emitter;
  }

  /** Open streams in this process. */
  int openStreams() {
    return open.get();
  }

  @Override
  public void jobsChanged(Set<UUID> jobIds) {
    for (UUID jobId : jobIds) {
      Set<Stream> streams = byJob.get(jobId);
      if (streams != null) {
        streams.forEach(Stream::eventsArrived);
      }
    }
  }

  @Override
  public void anyMayHaveChanged() {
    byJob.values().forEach(streams -> streams.forEach(Stream::eventsArrived));
  }

  private void heartbeat() {
    byJob.values().forEach(streams -> streams.forEach(Stream::heartbeatDue));
  }

  /** Admits one more stream of {@code tenantId} or refuses with 503 (process) or 429 (tenant). */
  private void reserve(UUID tenantId) {
    if (open.incrementAndGet() > properties.maxStreams()) {
      open.decrementAndGet();
      throw ApiProblem.unavailable(
          "This instance already serves "
              + properties.maxStreams()
              + " event streams; retry later or poll GET /v1/jobs/{id}.");
    }
    boolean[] admitted = {false};
    perTenant.compute(
        tenantId,
        (id, streams) -> {
          int current = streams == null ? 0 : streams;
          if (current >= properties.maxStreamsPerTenant()) {
            return streams;
          }
          admitted[0] = true;
          return current + 1;
        });
    if (!admitted[0]) {
      open.decrementAndGet();
      throw ApiProblem.tooManyRequests(
          "This API key's tenant already has "
              + properties.maxStreamsPerTenant()
              + " open event streams; close one first.",
          properties.retry());
    }
  }

  private void forget(Stream stream) {
    if (!stream.closed.compareAndSet(false, true)) {
      return;
    }
    byJob.computeIfPresent(
        stream.jobId,
        (id, streams) -> streams.remove(stream) && streams.isEmpty() ? null : streams);
    perTenant.computeIfPresent(stream.tenantId, (id, streams) -> streams <= 1 ? null : streams - 1);
    open.decrementAndGet();
  }

  private void startFanOut() {
    if (fanOutStarted.compareAndSet(false, true)) {
      listener.start();
      long period = properties.heartbeat().toMillis();
      heartbeats.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
    }
  }

  private static Connection connect(JdbcConnectionDetails database) throws SQLException {
    Properties credentials = new Properties();
    if (StringUtils.hasText(database.getUsername())) {
      credentials.setProperty("user", database.getUsername());
    }
    if (StringUtils.hasText(database.getPassword())) {
      credentials.setProperty("password", database.getPassword());
    }
    credentials.setProperty("ApplicationName", "dti-job-events-listener");
    Connection connection = new org.postgresql.Driver().connect(database.getJdbcUrl(), credentials);
    if (connection == null) {
      throw new SQLException("Not a PostgreSQL URL: " + database.getJdbcUrl());
    }
    return connection;
  }

  @Override
  public void start() {
    running = true;
  }

  /** Ends every stream before the web server drains: clients resume on another instance. */
  @Override
  public void stop() {
    running = false;
    listener.close();
    heartbeats.shutdownNow();
    byJob.values().forEach(streams -> streams.forEach(Stream::end));
    senders.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** One client's stream of one job's events. */
  private final class Stream {

    final UUID jobId;
    final UUID tenantId;
    final SseEmitter emitter;
    final boolean endAfterHistory;
    final AtomicBoolean eventsPending = new AtomicBoolean();
    final AtomicBoolean heartbeatPending = new AtomicBoolean();
    final AtomicBoolean draining = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();

    /** The id of the last event sent; only the draining thread reads or writes it. */
    long cursor;

    Stream(UUID jobId, UUID tenantId, SseEmitter emitter, long cursor, boolean endAfterHistory) {
      this.jobId = jobId;
      this.tenantId = tenantId;
      this.emitter = emitter;
      this.cursor = cursor;
      this.endAfterHistory = endAfterHistory;
    }

    void eventsArrived() {
      eventsPending.set(true);
      wake();
    }

    void heartbeatDue() {
      heartbeatPending.set(true);
      wake();
    }

    void wake() {
      if (!closed.get() && draining.compareAndSet(false, true)) {
        try {
          senders.execute(this::drain);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
          draining.set(false);
        }
      }
    }

    /** Sends what is pending; one drain at a time, re-run when more arrived meanwhile. */
    private void drain() {
      boolean databaseFailed = false;
      try {
        while (!closed.get()) {
          boolean events = eventsPending.getAndSet(false);
          boolean heartbeat = heartbeatPending.getAndSet(false);
          if (!events && !heartbeat) {
            break;
          }
          if (events && sendNewEvents()) {
            return;
          }
          if (heartbeat) {
            emitter.send(SseEmitter.event().comment("heartbeat"));
          }
        }
      } catch (IOException | IllegalStateException clientGone) {
        forget(this);
        emitter.completeWithError(clientGone);
      } catch (RuntimeException e) {
        // The database did not answer: the next notification, poll or heartbeat tries again.
        log.warn("Could not read the events of job {} for a stream: {}", jobId, e.getMessage());
        eventsPending.set(true);
        databaseFailed = true;
      } finally {
        draining.set(false);
      }
      if (!databaseFailed && !closed.get() && (eventsPending.get() || heartbeatPending.get())) {
        wake();
      }
    }

    /** Sends the events after the cursor; true when the stream ended. */
    private boolean sendNewEvents() throws IOException {
      List<JobEvent> events = jobs.events(jobId, cursor);
      for (JobEvent event : events) {
        emitter.send(
            SseEmitter.event()
                .id(Long.toString(event.id()))
                .name(event.type())
                .data(data(event), JSON_TEXT));
        cursor = event.id();
        if (TERMINAL_TYPES.contains(event.type())) {
          end();
          return true;
        }
      }
      if (endAfterHistory) {
        end();
        return true;
      }
      return false;
    }

    void end() {
      forget(this);
      emitter.complete();
    }

    /** The outbox row's data with the event's own fields in front. */
    private String data(JobEvent event) {
      ObjectNode data = json.createObjectNode();
      data.put("id", event.id());
      data.put("jobId", event.jobId().toString());
      data.put("type", event.type());
      data.put("reason", event.reason());
      data.put("createdAt", event.createdAt().toString());
      data.setAll((ObjectNode) json.readTree(event.dataJson()));
      return json.writeValueAsString(data);
    }
  }
}
