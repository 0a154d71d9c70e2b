package dev.dti.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every SQL statement that touches the {@code jobs} and {@code job_events} tables, written out in
 * full.
 *
 * <p>Every state transition of a job (enqueued, started, progress, succeeded, failed, canceled,
 * back in the queue) goes through {@link #transition}: the statement that changes the row also
 * appends one row to the {@code job_events} outbox, so an event exists exactly when its change was
 * committed. Nothing else writes a job's state.
 */
@Repository
public class JobRepository {

  static final RowMapper<Job> ROW_MAPPER = JobRepository::mapRow;

  /** Why a row changed; stored with its event. */
  enum Reason {
    ENQUEUED,
    CLAIMED,
    PROGRESS,
    COMPLETED,
    CANCELED,
    FAILED,
    RETRY,
    SHUTDOWN,
    LEASE_EXPIRED;

    String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The event type follows from the row after the change and from why it changed. */
  private static final String EVENT_TYPE =
      """
      CASE
        WHEN changed.state = 'queued' AND :reason = 'enqueued' THEN 'queued'
        WHEN changed.state = 'queued' THEN 'requeued'
        WHEN changed.state = 'running' AND :reason = 'progress' THEN 'progress'
        WHEN changed.state = 'running' THEN 'started'
        ELSE changed.state END""";

  /** What an event carries: the job's public state after the change. */
  private static final String EVENT_DATA =
      """
      jsonb_build_object(
        'state', changed.state,
        'currentStep', changed.current_step,
        'totalSteps', changed.total_steps,
        'progress', changed.progress,
        'etaSeconds', changed.eta_seconds,
        'detail', changed.progress_detail,
        'attempts', changed.attempts,
        'crashes', changed.crashes,
        'cancelRequested', changed.cancel_requested,
        'error', changed.error)""";

  private static final RowMapper<JobEvent> EVENT_MAPPER =
      (rs, rowNum) ->
          new JobEvent(
              rs.getLong("id"),
              rs.getObject("job_id", UUID.class),
              rs.getObject("tenant_id", UUID.class),
              rs.getString("kind"),
              rs.getString("type"),
              rs.getString("reason"),
              rs.getString("data"),
              instant(rs, "created_at"));

  private final JdbcClient jdbc;

  public JobRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The one way a job's row changes: {@code change} is an INSERT or UPDATE of {@code jobs} ending
   * in {@code RETURNING *}; each row it returns gets its event in the same statement.
   */
  private JdbcClient.StatementSpec transition(Reason reason, String change) {
    return jdbc.sql(
            """
            WITH changed AS (
            %s
            ),
            appended AS (
              INSERT INTO job_events (job_id, tenant_id, kind, type, reason, data)
              SELECT changed.id, changed.tenant_id, changed.kind, %s, :reason, %s
              FROM changed)
            SELECT * FROM changed
            """
                .formatted(change.strip(), EVENT_TYPE, EVENT_DATA))
        .param("reason", reason.wireName());
  }

  public Job insert(
      UUID id,
      UUID tenantId,
      String kind,
      String payloadJson,
      int maxAttempts,
      int maxCrashes,
      int totalSteps) {
    return transition(
            Reason.ENQUEUED,
            """
            INSERT INTO jobs (id, tenant_id, kind, state, payload, max_attempts, max_crashes, total_steps)
            VALUES (:id, :tenantId, :kind, 'queued', CAST(:payload AS jsonb), :maxAttempts, :maxCrashes, :totalSteps)
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("kind", kind)
        .param("payload", payloadJson)
        .param("maxAttempts", maxAttempts)
        .param("maxCrashes", maxCrashes)
        .param("totalSteps", totalSteps)
        .query(ROW_MAPPER)
        .single();
  }

  public Optional<Job> findForTenant(UUID tenantId, UUID id) {
    return jdbc.sql("SELECT * FROM jobs WHERE id = :id AND tenant_id = :tenantId")
        .param("id", id)
        .param("tenantId", tenantId)
        .query(ROW_MAPPER)
        .optional();
  }

  public Optional<Job> findById(UUID id) {
    return jdbc.sql("SELECT * FROM jobs WHERE id = :id")
        .param("id", id)
        .query(ROW_MAPPER)
        .optional();
  }

  /** Newest first; {@code state} null means every state. */
  public List<Job> pageForTenant(UUID tenantId, JobState state, int limit, int offset) {
    return jdbc.sql(
            """
            SELECT * FROM jobs
            WHERE tenant_id = :tenantId AND (CAST(:state AS text) IS NULL OR state = :state)
            ORDER BY created_at DESC, id
            LIMIT :limit OFFSET :offset
            """)
        .param("tenantId", tenantId)
        .param("state", state == null ? null : state.wireName())
        .param("limit", limit)
        .param("offset", offset)
        .query(ROW_MAPPER)
        .list();
  }

  public long countForTenant(UUID tenantId, JobState state) {
    return jdbc.sql(
            """
            SELECT count(*) FROM jobs
            WHERE tenant_id = :tenantId AND (CAST(:state AS text) IS NULL OR state = :state)
            """)
        .param("tenantId", tenantId)
        .param("state", state == null ? null : state.wireName())
        .query(Long.class)
        .single();
  }

  /** The tenant's jobs whose payload has {@code key} = {@code value} (a string), oldest first. */
  public List<Job> findByPayload(UUID tenantId, String key, String value) {
    return jdbc.sql(
            """
            SELECT * FROM jobs
            WHERE tenant_id = :tenantId AND payload ->> :key = :value
            ORDER BY created_at, id
            """)
        .param("tenantId", tenantId)
        .param("key", key)
        .param("value", value)
        .query(ROW_MAPPER)
        .list();
  }

  /** The newest job of the tenant for each of these payload values of {@code key}. */
  public List<Job> latestByPayload(UUID tenantId, String key, Collection<String> values) {
    if (values.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            """
            SELECT DISTINCT ON (subject) * FROM (
              SELECT *, payload ->> :key AS subject FROM jobs
              WHERE tenant_id = :tenantId AND payload ->> :key IN (:values)) keyed
            ORDER BY subject, created_at DESC, id DESC
            """)
        .param("tenantId", tenantId)
        .param("key", key)
        .param("values", List.copyOf(values))
        .query(ROW_MAPPER)
        .list();
  }

  /**
   * Removes {@code key} from the payloads of the tenant's jobs where it is {@code value}: what the
   * payload pointed at is gone (a deleted concept). Not a state transition.
   */
  public int removeFromPayloads(UUID tenantId, String key, String value) {
    return jdbc.sql(
            """
            UPDATE jobs SET payload = payload - :key, updated_at = now()
            WHERE tenant_id = :tenantId AND payload ->> :key = :value
            """)
        .param("tenantId", tenantId)
        .param("key", key)
        .param("value", value)
        .update();
  }

  /**
   * Cancels a job: a queued job ends at once; a running one is flagged and its worker stops at the
   * next heartbeat (that end is its transition). Terminal jobs are left alone. Returns the job as
   * it is afterwards.
   */
  public Optional<Job> requestCancel(UUID tenantId, UUID id) {
    Optional<Job> canceledWhileQueued =
        transition(
                Reason.CANCELED,
                """
                UPDATE jobs SET
                  state = 'canceled',
                  finished_at = now(),
                  cancel_requested = true,
                  updated_at = now()
                WHERE id = :id AND tenant_id = :tenantId AND state = 'queued'
                RETURNING *
                """)
            .param("id", id)
            .param("tenantId", tenantId)
            .query(ROW_MAPPER)
            .optional();
    if (canceledWhileQueued.isPresent()) {
      return canceledWhileQueued;
    }
    return jdbc.sql(
            """
            UPDATE jobs SET
              cancel_requested = CASE WHEN state = 'running' THEN true ELSE cancel_requested END,
              updated_at = now()
            WHERE id = :id AND tenant_id = :tenantId
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .query(ROW_MAPPER)
        .optional();
  }

  /** The job's events in the order they happened, after event {@code afterId} (0: all). */
  public List<JobEvent> eventsOf(UUID jobId, long afterId) {
    return jdbc.sql("SELECT * FROM job_events WHERE job_id = :jobId AND id > :afterId ORDER BY id")
        .param("jobId", jobId)
        .param("afterId", afterId)
        .query(EVENT_MAPPER)
        .list();
  }

  // ---------------------------------------------------------------------------------------------
  // The worker side of the queue. Every statement that ends or renews a running job is fenced by
  // "lease_owner = :owner AND state = 'running'": a worker whose lease was reaped can no longer
  // write, so a job that another worker took over is never finished twice. A queued job never has
  // cancel_requested set: every path back to 'queued' turns a requested cancel into 'canceled'.
  // ---------------------------------------------------------------------------------------------

  /**
   * Claims a runnable job of one of {@code kinds} for {@code owner}, sharing the workers fairly
   * between tenants: the tenant with the fewest running jobs goes first (ties: the tenant whose
   * runnable job has waited longest), and within the tenant its oldest runnable job. So a tenant
   * that queued 500 jobs gets one worker after another only while nobody else waits; every other
   * tenant's next job goes between them (round-robin). The job becomes running, its attempt is
   * counted and a lease of {@code lease} starts.
   *
   * <p>{@code waiting} lists the tenants in that order (materialized, so it is computed once); the
   * nested loop of the {@code LATERAL} join reads it in that order and stops at the first tenant
   * whose oldest job it can lock. {@code SKIP LOCKED} there lets any number of workers, in any
   * number of processes, claim at once without waiting on or double-claiming a row: a row another
   * claimer holds is skipped for that tenant's next one, and a row another claimer already made
   * running no longer matches {@code state = 'queued'} when it is locked.
   */
  public Optional<Job> claimNext(Collection<String> kinds, String owner, Duration lease) {
    return transition(
            Reason.CLAIMED,
            """
            UPDATE jobs SET
              state = 'running',
              attempts = attempts + 1,
              lease_owner = :owner,
              lease_expires_at = now() + make_interval(secs => :leaseSeconds),
              started_at = coalesce(started_at, now()),
              eta_seconds = NULL,
              updated_at = now()
            WHERE id = (
              WITH waiting AS MATERIALIZED (
                SELECT queued.tenant_id
                FROM jobs queued
                WHERE queued.state = 'queued' AND queued.run_after <= now() AND queued.kind IN (:kinds)
                GROUP BY queued.tenant_id
                ORDER BY
                  (SELECT count(*) FROM jobs running
                   WHERE running.tenant_id = queued.tenant_id AND running.state = 'running'),
                  min(queued.created_at),
                  queued.tenant_id)
              SELECT next.id
              FROM waiting
              CROSS JOIN LATERAL (
                SELECT candidate.id FROM jobs candidate
                WHERE candidate.tenant_id = waiting.tenant_id
                  AND candidate.state = 'queued' AND candidate.run_after <= now()
                  AND candidate.kind IN (:kinds)
                ORDER BY candidate.created_at, candidate.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED) next
              LIMIT 1)
            RETURNING *
            """)
        .param("owner", owner)
        .param("leaseSeconds", seconds(lease))
        .param("kinds", List.copyOf(kinds))
        .query(ROW_MAPPER)
        .optional();
  }

  /** The tenant's jobs of {@code kind} that have not finished: queued or running. */
  public long countUnfinished(UUID tenantId, String kind) {
    return jdbc.sql(
            """
            SELECT count(*) FROM jobs
            WHERE tenant_id = :tenantId AND kind = :kind AND state IN ('queued', 'running')
            """)
        .param("tenantId", tenantId)
        .param("kind", kind)
        .query(Long.class)
        .single();
  }

  /**
   * Extends the lease of a running job and reads whether a cancel was requested. Empty when the
   * worker no longer holds the lease (the reaper gave the job to someone else, or it ended). Not a
   * state transition.
   */
  public Optional<Boolean> renewLease(UUID id, String owner, Duration lease) {
    return jdbc.sql(
            """
            UPDATE jobs SET
              lease_expires_at = now() + make_interval(secs => :leaseSeconds),
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING cancel_requested
            """)
        .param("id", id)
        .param("owner", owner)
        .param("leaseSeconds", seconds(lease))
        .query(Boolean.class)
        .optional();
  }

  /**
   * Stores a handler's progress report ({@code detailJson}: what the handler reports besides step
   * and ETA, or null); false when the worker no longer holds the lease.
   */
  public boolean updateProgress(
      UUID id,
      String owner,
      int currentStep,
      int totalSteps,
      double progress,
      String detailJson,
      Double etaSeconds) {
    return transition(
            Reason.PROGRESS,
            """
            UPDATE jobs SET
              current_step = :currentStep,
              total_steps = :totalSteps,
              progress = :progress,
              progress_detail = CAST(:detail AS jsonb),
              eta_seconds = :etaSeconds,
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .param("currentStep", currentStep)
        .param("totalSteps", totalSteps)
        .param("progress", progress)
        .param("detail", detailJson, Types.VARCHAR)
        .param("etaSeconds", etaSeconds, Types.DOUBLE)
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /** The handler finished: the job succeeded with {@code resultJson} (may be null). */
  public boolean markSucceeded(UUID id, String owner, String resultJson) {
    return transition(
            Reason.COMPLETED,
            """
            UPDATE jobs SET
              state = 'succeeded',
              result = CAST(:result AS jsonb),
              progress = 1,
              eta_seconds = 0,
              error = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              finished_at = now(),
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .param("result", resultJson, Types.VARCHAR)
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /** The handler stopped because a cancel was requested. */
  public boolean markCanceled(UUID id, String owner) {
    return transition(
            Reason.CANCELED,
            """
            UPDATE jobs SET
              state = 'canceled',
              eta_seconds = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              finished_at = now(),
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /** The job failed for good; {@code error} is a sentence for the person who submitted it. */
  public boolean markFailed(UUID id, String owner, String error) {
    return transition(
            Reason.FAILED,
            """
            UPDATE jobs SET
              state = 'failed',
              error = :error,
              eta_seconds = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              finished_at = now(),
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .param("error", error)
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /**
   * The attempt failed and another is allowed: the job waits {@code delay} in the queue (or ends
   * canceled if a cancel arrived meanwhile). The attempt stays counted; checkpoints are untouched.
   */
  public boolean scheduleRetry(UUID id, String owner, String error, Duration delay) {
    return transition(
            Reason.RETRY,
            """
            UPDATE jobs SET
              state = CASE WHEN cancel_requested THEN 'canceled' ELSE 'queued' END,
              finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END,
              run_after = now() + make_interval(secs => :delaySeconds),
              error = :error,
              eta_seconds = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .param("error", error)
        .param("delaySeconds", seconds(delay))
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /**
   * The worker is shutting down: the job goes back to the queue for another worker to resume, and
   * the interrupted attempt is not counted against the job.
   */
  public boolean releaseToQueue(UUID id, String owner) {
    return transition(
            Reason.SHUTDOWN,
            """
            UPDATE jobs SET
              state = CASE WHEN cancel_requested THEN 'canceled' ELSE 'queued' END,
              finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END,
              attempts = greatest(attempts - 1, 0),
              run_after = now(),
              eta_seconds = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .query(ROW_MAPPER)
        .optional()
        .isPresent();
  }

  /**
   * Returns running jobs whose lease expired (their worker died, hung or lost its node) to the
   * queue at once. A dead worker is not the job's fault: the attempt is given back and counted as a
   * crash instead, and a job whose worker died {@code max_crashes} times fails, so a job that kills
   * its worker every time still ends. A job whose cancel was requested ends canceled. Rows are
   * never deleted: checkpoints in other tables point at them.
   */
  public List<Job> reapExpiredLeases() {
    return transition(
            Reason.LEASE_EXPIRED,
            """
            UPDATE jobs SET
              state = CASE
                WHEN cancel_requested THEN 'canceled'
                WHEN crashes + 1 >= max_crashes THEN 'failed'
                ELSE 'queued' END,
              error = CASE
                WHEN cancel_requested THEN error
                WHEN crashes + 1 >= max_crashes THEN
                  'The worker running this job stopped responding ' || (crashes + 1)
                  || ' times (it crashed, was killed or lost its node), so the job was given up.'
                ELSE
                  'The worker running this job stopped responding (' || (crashes + 1) || ' of at most '
                  || max_crashes || ' times); the job went back to the queue.' END,
              attempts = greatest(attempts - 1, 0),
              crashes = crashes + 1,
              finished_at = CASE
                WHEN cancel_requested OR crashes + 1 >= max_crashes THEN now() ELSE NULL END,
              run_after = now(),
              eta_seconds = NULL,
              lease_owner = NULL,
              lease_expires_at = NULL,
              updated_at = now()
            WHERE id IN (
              SELECT id FROM jobs
              WHERE state = 'running' AND lease_expires_at < now()
              FOR UPDATE SKIP LOCKED)
            RETURNING *
            """)
        .query(ROW_MAPPER)
        .list();
  }

  /** Number of jobs in each state, over all tenants (the queue-depth gauge). */
  public Map<JobState, Long> countByState() {
    Map<JobState, Long> counts = new EnumMap<>(JobState.class);
    jdbc.sql("SELECT state, count(*) AS jobs FROM jobs GROUP BY state")
        .query(
            (RowCallbackHandler)
                rs -> counts.put(JobState.fromWireName(rs.getString("state")), rs.getLong("jobs")));
    return counts;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  private static Job mapRow(ResultSet rs, int rowNum) throws SQLException {
    return new Job(
        rs.getObject("id", UUID.class),
        rs.getObject("tenant_id", UUID.class),
        rs.getString("kind"),
        JobState.fromWireName(rs.getString("state")),
        rs.getString("payload"),
        rs.getString("result"),
        rs.getInt("attempts"),
        rs.getInt("max_attempts"),
        rs.getInt("crashes"),
        rs.getInt("max_crashes"),
        instant(rs, "run_after"),
        rs.getString("lease_owner"),
        instant(rs, "lease_expires_at"),
        rs.getBoolean("cancel_requested"),
        rs.getDouble("progress"),
        rs.getInt("current_step"),
        rs.getInt("total_steps"),
        rs.getString("progress_detail"),
        nullableDouble(rs, "eta_seconds"),
        rs.getString("error"),
        instant(rs, "created_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        instant(rs, "updated_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }

  private static Double nullableDouble(ResultSet rs, String column) throws SQLException {
    double value = rs.getDouble(column);
    return rs.wasNull() ? null : value;
  }
}
