package dev.dti.web;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement on {@code idempotency_keys}. */
@Repository
class IdempotencyRepository {

  record StoredResponse(String requestHash, int status, String body, String location) {}

  private final JdbcClient jdbc;

  IdempotencyRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Waits until no other transaction works on this tenant's key, then holds it until this
   * transaction ends: of two simultaneous requests with one key, the second sees the first's
   * committed response instead of creating a second time. (A hash collision between two keys only
   * makes them wait for each other.)
   */
  void lock(UUID tenantId, String key) {
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:lockName, 0))")
        .param("lockName", "idempotency:" + tenantId + ":" + key)
        .query((rs, n) -> 1)
        .single();
  }

  Optional<StoredResponse> find(UUID tenantId, String key) {
    return jdbc.sql(
            """
            SELECT request_hash, response_status, response_body, response_location
            FROM idempotency_keys WHERE tenant_id = :tenantId AND idempotency_key = :key
            """)
        .param("tenantId", tenantId)
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

  void insert(UUID tenantId, String key, StoredResponse response) {
    jdbc.sql(
            """
            INSERT INTO idempotency_keys
              (tenant_id, idempotency_key, request_hash, response_status, response_body, response_location)
            VALUES (:tenantId, :key, :hash, :status, :body, :location)
            """)
        .param("tenantId", tenantId)
        .param("key", key)
        .param("hash", response.requestHash())
        .param("status", response.status())
        .param("body", response.body())
        .param("location", response.location())
        .update();
  }
}
