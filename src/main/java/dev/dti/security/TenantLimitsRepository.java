package dev.dti.security;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement on {@code tenant_limits}. */
@Repository
class TenantLimitsRepository {

  /** A tenant's stored overrides and their version (milliseconds of the last change). */
  record StoredOverrides(LimitOverrides overrides, long version) {}

  private final JdbcClient jdbc;

  TenantLimitsRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<StoredOverrides> find(UUID tenantId) {
    return jdbc.sql("SELECT * FROM tenant_limits WHERE tenant_id = :tenantId")
        .param("tenantId", tenantId)
        .query(TenantLimitsRepository::stored)
        .optional();
  }

  /**
   * Replaces the tenant's overrides. The version is the change's time in milliseconds, and always
   * above the previous version, so buckets see every change as newer.
   */
  StoredOverrides save(UUID tenantId, LimitOverrides o) {
    return jdbc.sql(
            """
            INSERT INTO tenant_limits AS t (tenant_id, training_quota, training_window_seconds,
              generation_quota, generation_window_seconds, read_quota, read_window_seconds,
              max_unfinished_training_jobs, updated_at)
            VALUES (:tenantId, :trainingQuota, :trainingWindow, :generationQuota, :generationWindow,
              :readQuota, :readWindow, :maxUnfinished, clock_timestamp())
            ON CONFLICT (tenant_id) DO UPDATE SET
              training_quota = EXCLUDED.training_quota,
              training_window_seconds = EXCLUDED.training_window_seconds,
              generation_quota = EXCLUDED.generation_quota,
              generation_window_seconds = EXCLUDED.generation_window_seconds,
              read_quota = EXCLUDED.read_quota,
              read_window_seconds = EXCLUDED.read_window_seconds,
              max_unfinished_training_jobs = EXCLUDED.max_unfinished_training_jobs,
              updated_at = greatest(clock_timestamp(), t.updated_at + interval '1 millisecond')
            RETURNING *
            """)
        .param("tenantId", tenantId)
        .param("trainingQuota", o.trainingQuota(), Types.INTEGER)
        .param("trainingWindow", o.trainingWindowSeconds(), Types.INTEGER)
        .param("generationQuota", o.generationQuota(), Types.INTEGER)
        .param("generationWindow", o.generationWindowSeconds(), Types.INTEGER)
        .param("readQuota", o.readQuota(), Types.INTEGER)
        .param("readWindow", o.readWindowSeconds(), Types.INTEGER)
        .param("maxUnfinished", o.maxUnfinishedTrainingJobs(), Types.INTEGER)
        .query(TenantLimitsRepository::stored)
        .single();
  }

  private static StoredOverrides stored(ResultSet rs, int n) throws SQLException {
    return new StoredOverrides(
        new LimitOverrides(
            integer(rs, "training_quota"),
            integer(rs, "training_window_seconds"),
            integer(rs, "generation_quota"),
            integer(rs, "generation_window_seconds"),
            integer(rs, "read_quota"),
            integer(rs, "read_window_seconds"),
            integer(rs, "max_unfinished_training_jobs")),
        rs.getTimestamp("updated_at").getTime());
  }

  private static Integer integer(ResultSet rs, String column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? null : value;
  }
}
