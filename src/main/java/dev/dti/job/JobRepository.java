package dev.dti.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement that touches the {@code jobs} table, written out in full. */
@Repository
public class JobRepository {

  static final RowMapper<Job> ROW_MAPPER = JobRepository::mapRow;

  private final JdbcClient jdbc;

  public JobRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Job insert(
      UUID id,
      UUID tenantId,
      String kind,
      UUID conceptId,
      String payloadJson,
      int maxAttempts,
      int totalSteps) {
    return jdbc.sql(
            """
            INSERT INTO jobs (id, tenant_id, kind, concept_id, state, payload, max_attempts, total_steps)
            VALUES (:id, :tenantId, :kind, :conceptId, 'queued', CAST(:payload AS jsonb), :maxAttempts, :totalSteps)
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("kind", kind)
        .param("conceptId", conceptId)
        .param("payload", payloadJson)
        .param("maxAttempts", maxAttempts)
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

  public List<Job> findByConcept(UUID conceptId) {
    return jdbc.sql("SELECT * FROM jobs WHERE concept_id = :conceptId ORDER BY created_at")
        .param("conceptId", conceptId)
        .query(ROW_MAPPER)
        .list();
  }

  /**
   * Cancels a job: a queued job ends at once; a running one is flagged and its worker stops at the
   * next heartbeat. Terminal jobs are left alone. Returns the job as it is afterwards.
   */
  public Optional<Job> requestCancel(UUID tenantId, UUID id) {
    return jdbc.sql(
            """
            UPDATE jobs SET
              state = CASE WHEN state = 'queued' THEN 'canceled' ELSE state END,
              finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END,
              cancel_requested = CASE WHEN state IN ('queued', 'running') THEN true ELSE cancel_requested END,
              updated_at = now()
            WHERE id = :id AND tenant_id = :tenantId
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .query(ROW_MAPPER)
        .optional();
  }

  private static Job mapRow(ResultSet rs, int rowNum) throws SQLException {
    return new Job(
        rs.getObject("id", UUID.class),
        rs.getObject("tenant_id", UUID.class),
        rs.getString("kind"),
        rs.getObject("concept_id", UUID.class),
        JobState.fromWireName(rs.getString("state")),
        rs.getString("payload"),
        rs.getString("result"),
        rs.getInt("attempts"),
        rs.getInt("max_attempts"),
        instant(rs, "run_after"),
        rs.getString("lease_owner"),
        instant(rs, "lease_expires_at"),
        rs.getBoolean("cancel_requested"),
        rs.getDouble("progress"),
        rs.getInt("current_step"),
        rs.getInt("total_steps"),
        nullableDouble(rs, "last_loss"),
        nullableDouble(rs, "embedding_norm"),
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
