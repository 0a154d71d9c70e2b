package dev.dti.webhook;

import dev.dti.job.JobEvent;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every SQL statement of webhooks, written out in full: endpoints, messages, attempts, and the
 * dispatcher's cursor over the {@code job_events} outbox.
 *
 * <p>A sender holds a message while {@code locked_until} is in the future; every write that ends an
 * attempt is fenced by {@code claim_token}, so a sender whose lease ran out (and whose message
 * another sender took over) cannot overwrite the newer outcome.
 */
@Repository
class WebhookRepository {

  record EndpointRow(
      UUID id,
      UUID tenantId,
      String url,
      String description,
      List<String> events,
      String secret,
      Instant previousSecretExpiresAt,
      Instant disabledAt,
      String disabledReason,
      Instant createdAt,
      Instant updatedAt) {}

  record MessageRow(
      String id,
      UUID endpointId,
      UUID tenantId,
      String eventType,
      String body,
      String state,
      int failures,
      Instant nextAttemptAt,
      Instant createdAt,
      Instant updatedAt) {}

  record AttemptRow(
      long id, String messageId, Integer statusCode, long durationMs, String error, Instant at) {}

  /** A message claimed for one attempt, with what sending it needs. */
  record ClaimedMessage(MessageRow message, UUID claimToken, String url, List<String> secrets) {}

  /** How far the dispatcher has read the outbox: events are read in (xactId, eventId) order. */
  record Cursor(String xactId, long eventId) {}

  /** A job event with the transaction that wrote it. */
  record OutboxEvent(JobEvent event, String xactId) {}

  /** One claim transaction at a time over all replicas keeps "one message per endpoint". */
  private static final long CLAIM_LOCK = 0x77686b5f636c6169L;

  private static final RowMapper<EndpointRow> ENDPOINT =
      (rs, n) ->
          new EndpointRow(
              rs.getObject("id", UUID.class),
              rs.getObject("tenant_id", UUID.class),
              rs.getString("url"),
              rs.getString("description"),
              strings(rs.getArray("events")),
              rs.getString("secret"),
              instant(rs, "previous_secret_expires_at"),
              instant(rs, "disabled_at"),
              rs.getString("disabled_reason"),
              instant(rs, "created_at"),
              instant(rs, "updated_at"));

  private static final RowMapper<MessageRow> MESSAGE = WebhookRepository::message;

  private static final RowMapper<AttemptRow> ATTEMPT =
      (rs, n) -> {
        int status = rs.getInt("status_code");
        Integer statusCode = rs.wasNull() ? null : status;
        return new AttemptRow(
            rs.getLong("id"),
            rs.getString("message_id"),
            statusCode,
            rs.getLong("duration_ms"),
            rs.getString("error"),
            instant(rs, "created_at"));
      };

  private final JdbcClient jdbc;

  WebhookRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  // ---- endpoints ----

  EndpointRow insertEndpoint(
      UUID id, UUID tenantId, String url, String description, List<String> events, String secret) {
    return jdbc.sql(
            """
            INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, secret)
            VALUES (:id, :tenantId, :url, :description, string_to_array(:events, ','), :secret)
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("url", url)
        .param("description", description)
        .param("events", String.join(",", events))
        .param("secret", secret)
        .query(ENDPOINT)
        .single();
  }

  Optional<EndpointRow> findEndpoint(UUID tenantId, UUID id) {
    return jdbc.sql("SELECT * FROM webhook_endpoints WHERE id = :id AND tenant_id = :tenantId")
        .param("id", id)
        .param("tenantId", tenantId)
        .query(ENDPOINT)
        .optional();
  }

  List<EndpointRow> pageEndpoints(UUID tenantId, int limit, int offset) {
    return jdbc.sql(
            """
            SELECT * FROM webhook_endpoints WHERE tenant_id = :tenantId
            ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset
            """)
        .param("tenantId", tenantId)
        .param("limit", limit)
        .param("offset", offset)
        .query(ENDPOINT)
        .list();
  }

  long countEndpoints(UUID tenantId) {
    return jdbc.sql("SELECT count(*) FROM webhook_endpoints WHERE tenant_id = :tenantId")
        .param("tenantId", tenantId)
        .query(Long.class)
        .single();
  }

  boolean deleteEndpoint(UUID tenantId, UUID id) {
    return jdbc.sql("DELETE FROM webhook_endpoints WHERE id = :id AND tenant_id = :tenantId")
            .param("id", id)
            .param("tenantId", tenantId)
            .update()
        == 1;
  }

  /** The current secret becomes the previous one, which signs for {@code grace} more. */
  Optional<EndpointRow> rotateSecret(UUID tenantId, UUID id, String newSecret, Duration grace) {
    return jdbc.sql(
            """
            UPDATE webhook_endpoints SET
              previous_secret = secret,
              previous_secret_expires_at = now() + make_interval(secs => :graceSeconds),
              secret = :secret,
              updated_at = now()
            WHERE id = :id AND tenant_id = :tenantId
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("secret", newSecret)
        .param("graceSeconds", grace.toMillis() / 1000.0)
        .query(ENDPOINT)
        .optional();
  }

  /** The endpoint is gone (it answered 410): no more messages, its pending ones canceled. */
  void disable(UUID endpointId, String reason) {
    jdbc.sql(
            """
            UPDATE webhook_endpoints SET disabled_at = now(), disabled_reason = :reason, updated_at = now()
            WHERE id = :id AND disabled_at IS NULL
            """)
        .param("id", endpointId)
        .param("reason", reason)
        .update();
    jdbc.sql(
            """
            UPDATE webhook_messages SET state = 'canceled', locked_until = NULL, updated_at = now()
            WHERE endpoint_id = :id AND state = 'pending'
            """)
        .param("id", endpointId)
        .update();
  }

  /** The tenant's enabled endpoints subscribed to {@code eventType}. */
  List<UUID> subscribers(UUID tenantId, String eventType) {
    return jdbc.sql(
            """
            SELECT id FROM webhook_endpoints
            WHERE tenant_id = :tenantId AND disabled_at IS NULL AND :eventType = ANY (events)
            ORDER BY created_at, id
            """)
        .param("tenantId", tenantId)
        .param("eventType", eventType)
        .query(UUID.class)
        .list();
  }

  // ---- messages ----

  MessageRow insertMessage(
      String id,
      UUID endpointId,
      UUID tenantId,
      String eventType,
      String body,
      Duration firstWait) {
    return jdbc.sql(
            """
            INSERT INTO webhook_messages (id, endpoint_id, tenant_id, event_type, body, next_attempt_at)
            VALUES (:id, :endpointId, :tenantId, :eventType, :body,
                    now() + make_interval(secs => :waitSeconds))
            RETURNING *
            """)
        .param("id", id)
        .param("endpointId", endpointId)
        .param("tenantId", tenantId)
        .param("eventType", eventType)
        .param("body", body)
        .param("waitSeconds", firstWait.toMillis() / 1000.0)
        .query(MESSAGE)
        .single();
  }

  Optional<MessageRow> findMessage(UUID endpointId, String id) {
    return jdbc.sql("SELECT * FROM webhook_messages WHERE id = :id AND endpoint_id = :endpointId")
        .param("id", id)
        .param("endpointId", endpointId)
        .query(MESSAGE)
        .optional();
  }

  /** Newest first. */
  List<MessageRow> pageMessages(UUID endpointId, int limit, int offset) {
    return jdbc.sql(
            """
            SELECT * FROM webhook_messages WHERE endpoint_id = :endpointId
            ORDER BY seq DESC LIMIT :limit OFFSET :offset
            """)
        .param("endpointId", endpointId)
        .param("limit", limit)
        .param("offset", offset)
        .query(MESSAGE)
        .list();
  }

  long countMessages(UUID endpointId) {
    return jdbc.sql("SELECT count(*) FROM webhook_messages WHERE endpoint_id = :endpointId")
        .param("endpointId", endpointId)
        .query(Long.class)
        .single();
  }

  /** The attempts of these messages, newest first. */
  List<AttemptRow> attemptsOf(Collection<String> messageIds) {
    if (messageIds.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT * FROM webhook_attempts WHERE message_id IN (:ids) ORDER BY id DESC")
        .param("ids", List.copyOf(messageIds))
        .query(ATTEMPT)
        .list();
  }

  /**
   * Sends the message again from the start of the retry schedule, keeping its id. A message a
   * sender holds right now is left alone (false).
   */
  Optional<MessageRow> resend(UUID endpointId, String id, Duration firstWait) {
    return jdbc.sql(
            """
            UPDATE webhook_messages SET
              state = 'pending',
              failures = 0,
              next_attempt_at = now() + make_interval(secs => :waitSeconds),
              updated_at = now()
            WHERE id = :id AND endpoint_id = :endpointId
              AND NOT (state = 'pending' AND locked_until > now())
            RETURNING *
            """)
        .param("id", id)
        .param("endpointId", endpointId)
        .param("waitSeconds", firstWait.toMillis() / 1000.0)
        .query(MESSAGE)
        .optional();
  }

  /**
   * Claims up to {@code limit} due messages for one attempt each, for {@code lease}. At most one
   * message per endpoint is in flight, and it is that endpoint's oldest due message, so an endpoint
   * receives its messages in order unless one of them is retried. Call inside a transaction: the
   * advisory lock serializes claims over all replicas, {@code SKIP LOCKED} passes over rows that
   * are being written (a resend, an end of attempt).
   */
  List<ClaimedMessage> claimDue(int limit, Duration lease) {
    jdbc.sql("SELECT pg_advisory_xact_lock(:key)").param("key", CLAIM_LOCK).query().singleRow();
    UUID token = UUID.randomUUID();
    return jdbc.sql(
            """
            WITH claimable AS (
              SELECT m.id FROM webhook_messages m
              JOIN webhook_endpoints e ON e.id = m.endpoint_id AND e.disabled_at IS NULL
              WHERE m.state = 'pending' AND m.next_attempt_at <= now()
                AND (m.locked_until IS NULL OR m.locked_until < now())
                AND NOT EXISTS (
                  SELECT 1 FROM webhook_messages busy
                  WHERE busy.endpoint_id = m.endpoint_id AND busy.state = 'pending'
                    AND busy.locked_until >= now())
                AND NOT EXISTS (
                  SELECT 1 FROM webhook_messages earlier
                  WHERE earlier.endpoint_id = m.endpoint_id AND earlier.state = 'pending'
                    AND earlier.next_attempt_at <= now() AND earlier.seq < m.seq)
              ORDER BY m.next_attempt_at, m.seq
              LIMIT :limit
              FOR UPDATE OF m SKIP LOCKED),
            claimed AS (
              UPDATE webhook_messages m SET
                locked_until = now() + make_interval(secs => :leaseSeconds),
                claim_token = :token,
                updated_at = now()
              FROM claimable WHERE m.id = claimable.id
              RETURNING m.*)
            SELECT claimed.*, e.url, e.secret AS current_secret,
                   CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END
                     AS previous_secret
            FROM claimed JOIN webhook_endpoints e ON e.id = claimed.endpoint_id
            ORDER BY claimed.next_attempt_at, claimed.seq
            """)
        .param("limit", limit)
        .param("leaseSeconds", lease.toMillis() / 1000.0)
        .param("token", token)
        .query(
            (rs, n) -> {
              List<String> secrets = new ArrayList<>();
              secrets.add(rs.getString("current_secret"));
              if (rs.getString("previous_secret") != null) {
                secrets.add(rs.getString("previous_secret"));
              }
              return new ClaimedMessage(message(rs, n), token, rs.getString("url"), secrets);
            })
        .list();
  }

  void recordAttempt(String messageId, Integer statusCode, long durationMs, String error) {
    jdbc.sql(
            """
            INSERT INTO webhook_attempts (message_id, status_code, duration_ms, error)
            SELECT :messageId, :statusCode, :durationMs, :error
            WHERE EXISTS (SELECT 1 FROM webhook_messages WHERE id = :messageId)
            """)
        .param("messageId", messageId)
        .param("statusCode", statusCode, java.sql.Types.INTEGER)
        .param("durationMs", durationMs)
        .param("error", error)
        .update();
  }

  boolean markSucceeded(String id, UUID token) {
    return endAttempt(id, token, "'succeeded'", "failures", Duration.ZERO);
  }

  /** Another attempt after {@code wait}. */
  boolean scheduleRetry(String id, UUID token, Duration wait) {
    return endAttempt(id, token, "'pending'", "failures + 1", wait);
  }

  boolean markFailed(String id, UUID token) {
    return endAttempt(id, token, "'failed'", "failures + 1", Duration.ZERO);
  }

  private boolean endAttempt(String id, UUID token, String state, String failures, Duration wait) {
    return jdbc.sql(
                """
                UPDATE webhook_messages SET
                  state = %s,
                  failures = %s,
                  next_attempt_at = now() + make_interval(secs => :waitSeconds),
                  locked_until = NULL,
                  claim_token = NULL,
                  updated_at = now()
                WHERE id = :id AND claim_token = :token AND state = 'pending'
                """
                    .formatted(state, failures))
            .param("id", id)
            .param("token", token)
            .param("waitSeconds", wait.toMillis() / 1000.0)
            .update()
        == 1;
  }

  // ---- the dispatcher's cursor over job_events ----

  /** Locks the cursor row until the transaction ends: one dispatcher at a time over replicas. */
  /** Deletes messages that ended before {@code cutoff}, with their attempts; returns how many. */
  int deleteEndedBefore(java.time.Instant cutoff) {
    return jdbc.sql(
            """
            DELETE FROM webhook_messages
            WHERE state IN ('succeeded', 'failed', 'canceled') AND updated_at < :cutoff
            """)
        .param("cutoff", java.sql.Timestamp.from(cutoff))
        .update();
  }

  Cursor lockCursor() {
    return jdbc.sql(
            """
            SELECT last_xact_id::text AS xact_id, last_event_id FROM webhook_dispatch_cursor
            WHERE name = 'job_events' FOR UPDATE
            """)
        .query((rs, n) -> new Cursor(rs.getString("xact_id"), rs.getLong("last_event_id")))
        .single();
  }

  void advanceCursor(Cursor cursor) {
    jdbc.sql(
            """
            UPDATE webhook_dispatch_cursor
            SET last_xact_id = CAST(:xactId AS xid8), last_event_id = :eventId
            WHERE name = 'job_events'
            """)
        .param("xactId", cursor.xactId())
        .param("eventId", cursor.eventId())
        .update();
  }

  /**
   * Events after the cursor, of transactions older than every transaction still running: no event
   * can later commit behind the last one returned.
   */
  List<OutboxEvent> committedEventsAfter(Cursor cursor, int limit) {
    return jdbc.sql(
            """
            SELECT *, xact_id::text AS xact FROM job_events
            WHERE (xact_id, id) > (CAST(:xactId AS xid8), :eventId)
              AND xact_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY xact_id, id
            LIMIT :limit
            """)
        .param("xactId", cursor.xactId())
        .param("eventId", cursor.eventId())
        .param("limit", limit)
        .query(
            (rs, n) ->
                new OutboxEvent(
                    new JobEvent(
                        rs.getLong("id"),
                        rs.getObject("job_id", UUID.class),
                        rs.getObject("tenant_id", UUID.class),
                        rs.getString("kind"),
                        rs.getString("type"),
                        rs.getString("reason"),
                        rs.getString("data"),
                        instant(rs, "created_at")),
                    rs.getString("xact")))
        .list();
  }

  /** The progress and time of the last job.progress message of the job, if any. */
  Optional<ProgressMark> progressMark(UUID jobId) {
    return jdbc.sql("SELECT progress, event_at FROM webhook_progress_marks WHERE job_id = :jobId")
        .param("jobId", jobId)
        .query((rs, n) -> new ProgressMark(rs.getDouble("progress"), instant(rs, "event_at")))
        .optional();
  }

  void markProgress(UUID jobId, ProgressMark mark) {
    jdbc.sql(
            """
            INSERT INTO webhook_progress_marks (job_id, progress, event_at)
            VALUES (:jobId, :progress, :eventAt)
            ON CONFLICT (job_id) DO UPDATE SET progress = excluded.progress, event_at = excluded.event_at
            """)
        .param("jobId", jobId)
        .param("progress", mark.progress())
        .param("eventAt", Timestamp.from(mark.at()))
        .update();
  }

  record ProgressMark(double progress, Instant at) {}

  private static MessageRow message(ResultSet rs, int rowNum) throws SQLException {
    return new MessageRow(
        rs.getString("id"),
        rs.getObject("endpoint_id", UUID.class),
        rs.getObject("tenant_id", UUID.class),
        rs.getString("event_type"),
        rs.getString("body"),
        rs.getString("state"),
        rs.getInt("failures"),
        instant(rs, "next_attempt_at"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  private static List<String> strings(Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}
