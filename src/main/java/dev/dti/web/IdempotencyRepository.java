package dev.dti.web;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement on {@code idempotency_keys}. */
@Repository
class IdempotencyRepository {

  /** A stored answer; {@code status} 0 marks a reservation whose request is still running. */
  record StoredResponse(String requestHash, int status, String body, String location) {
    boolean pending() {
      return status == 0;
    }
  }

  private final JdbcClient jdbc;

  IdempotencyRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Waits until no other transaction works on this key, then holds it until this transaction ends:
   * of two simultaneous requests with one key, the second sees the first's committed response (or
   * reservation) instead of creating a second time. (A hash collision between two keys only makes
   * them wait for each other.)
   */
  void lock(String scope, String key) {
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:lockName, 0))")
        .param("lockName", "idempotency:" + scope + ":" + key)
        .query((rs, n) -> 1)
        .single();
  }

  /** The key's answer or reservation, unless it expired. */
  Optional<StoredResponse> find(String scope, String key) {
    return jdbc.sql(
            """
            SELECT request_hash, response_status, response_body, response_location
            FROM idempotency_keys
            WHERE scope = :scope AND idempotency_key = :key AND expires_at > now()
            """)
        .param("scope", scope)
        .param("key", key)
        .query(
            (rs, n) ->
                new StoredResponse(
                    rs.getString("request_hash"),
                    rs.getInt("response_status"),
                    rs.getString("response_body"),
                    rs.getString("response_location")))
        .optional();
  }

  /** Stores an answer (or, with status 0, a reservation), replacing an expired row. */
  void save(String scope, UUID tenantId, String key, StoredResponse response, Duration timeToLive) {
    jdbc.sql(
            """
            INSERT INTO idempotency_keys
              (scope, tenant_id, idempotency_key, request_hash, response_status, response_body,
               response_location, created_at, expires_at)
            VALUES (:scope, :tenantId, :key, :hash, :status, :body, :location, now(),
                    now() + make_interval(secs => :ttlSeconds))
            ON CONFLICT (scope, idempotency_key) DO UPDATE SET
              request_hash = excluded.request_hash,
              response_status = excluded.response_status,
              response_body = excluded.response_body,
              response_location = excluded.response_location,
              created_at = excluded.created_at,
              expires_at = excluded.expires_at
            """)
        .param("scope", scope)
        .param("tenantId", tenantId)
        .param("key", key)
        .param("hash", response.requestHash())
        .param("status", response.pending() ? null : response.status())
        .param("body", response.body())
        .param("location", response.location())
        .param("ttlSeconds", timeToLive.toSeconds())
        .update();
  }

  /** Drops a reservation whose request failed, so the key may be used again. */
  void deleteReservation(String scope, String key) {
    jdbc.sql(
            """
            DELETE FROM idempotency_keys
            WHERE scope = :scope AND idempotency_key = :key AND response_status IS NULL
            """)
        .param("scope", scope)
        .param("key", key)
        .update();
  }

  /** Deletes expired keys; returns how many. */
  int deleteExpired() {
    return jdbc.sql("DELETE FROM idempotency_keys WHERE expires_at <= now()").update();
  }
}
