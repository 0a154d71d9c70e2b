package dev.dti.job;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells this process which jobs got new {@code job_events} rows, whichever process wrote them: a
 * trigger on the outbox sends {@code pg_notify('job_events', job_id)} at commit, and this class
 * holds one dedicated connection per process, outside the connection pool, that {@code LISTEN}s on
 * that channel.
 *
 * <p>The connection is read by one platform thread ({@code dti-job-events-listener}) blocked in
 * pgjdbc's {@code getNotifications(timeout)}: a blocking socket read that would pin a virtual
 * thread's carrier. Notifications sent while no connection listens are lost, so the sink hears
 * {@link Sink#anyMayHaveChanged()} after every (re)connect, after every failed attempt and, as a
 * safety net, every {@code safetyPoll}. A connection that breaks or stops answering is replaced:
 * the first attempt after one second, then after twice as long each time, at most {@code
 * safetyPoll}.
 */
public final class JobEventListener implements AutoCloseable {

  /** The channel the V45 migration's trigger notifies. */
  public static final String CHANNEL = "job_events";

  private static final Logger log = LoggerFactory.getLogger(JobEventListener.class);
  private static final int VALIDATION_TIMEOUT_SECONDS = 5;

  /** Longest uninterrupted wait for notifications, so that {@link #close()} is noticed. */
  private static final long MAX_WAIT_MILLIS = 500;

  private static final Duration FIRST_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** Opens a new physical connection to the database; the listener owns and closes it. */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  /** Who is told; called on the listener thread, so implementations hand work off quickly. */
  public interface Sink {
    /** These jobs have new outbox rows (committed before this call). */
    void jobsChanged(Set<UUID> jobIds);

    /** Any job may have new rows: notifications may have been missed (reconnect, safety poll). */
    void anyMayHaveChanged();
  }

  private final ConnectionSource connections;
  private final Duration safetyPoll;
  private final Sink sink;
  private final Thread thread;
  private volatile boolean running;
  private volatile boolean listening;

  public JobEventListener(ConnectionSource connections, Duration safetyPoll, Sink sink) {
    if (safetyPoll.isNegative() || safetyPoll.isZero()) {
      throw new IllegalArgumentException("the safety poll interval must be positive");
    }
    this.connections = connections;
    this.safetyPoll = safetyPoll;
    this.sink = sink;
    this.thread = Thread.ofPlatform().name("dti-job-events-listener").daemon().unstarted(this::run);
  }

  /** Starts listening on the listener thread; the first connection is opened there. */
  public synchronized void start() {
    if (!running) {
      running = true;
      thread.start();
    }
  }

  /** True while a connection is LISTENing (false while connecting or after a failure). */
  public boolean isListening() {
    return listening;
  }

  @Override
  public synchronized void close() {
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      return; // never started: nothing to stop (join would throw)
    }
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    Duration reconnectDelay = FIRST_RECONNECT_DELAY;
    while (running) {
      try (Connection connection = connections.open()) {
        listen(connection);
      } catch (SQLException | RuntimeException e) {
        boolean wasListening = listening;
        listening = false;
        if (wasListening) {
          reconnectDelay = FIRST_RECONNECT_DELAY;
        }
        if (running) {
          log.warn(
              "Listening for job events failed ({}); reconnecting in {} ms",
              e.getMessage(),
              reconnectDelay.toMillis());
          sink.anyMayHaveChanged();
          sleep(reconnectDelay);
          reconnectDelay = min(reconnectDelay.multipliedBy(2), safetyPoll);
        }
      }
    }
    listening = false;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private void listen(Connection connection) throws SQLException {
    connection.setAutoCommit(true);
    try (Statement statement = connection.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
    PGConnection notifications = connection.unwrap(PGConnection.class);
    listening = true;
    log.info("Listening for job events on channel '{}'", CHANNEL);
    sink.anyMayHaveChanged();
    long nextSafetyPoll = System.nanoTime() + safetyPoll.toNanos();
    while (running) {
      long untilPoll = Duration.ofNanos(nextSafetyPoll - System.nanoTime()).toMillis();
      int wait = (int) Math.max(1, Math.min(MAX_WAIT_MILLIS, untilPoll));
      PGNotification[] received = notifications.getNotifications(wait);
      if (received != null && received.length > 0) {
        sink.jobsChanged(jobIds(received));
      }
      if (System.nanoTime() - nextSafetyPoll >= 0) {
        if (!connection.isValid(VALIDATION_TIMEOUT_SECONDS)) {
          throw new SQLException("the LISTEN connection stopped answering");
        }
        sink.anyMayHaveChanged();
        nextSafetyPoll = System.nanoTime() + safetyPoll.toNanos();
      }
    }
  }

  private static Set<UUID> jobIds(PGNotification[] notifications) {
    Set<UUID> ids = new LinkedHashSet<>();
    for (PGNotification notification : notifications) {
      try {
        ids.add(UUID.fromString(notification.getParameter()));
      } catch (IllegalArgumentException notAJobId) {
        log.warn("Ignoring a '{}' notification without a job id", CHANNEL);
      }
    }
    return ids;
  }

  private void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      // close() interrupts; the loop condition decides
    }
  }
}
