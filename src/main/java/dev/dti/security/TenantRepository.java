package dev.dti.security;

import dev.dti.security.TenantRecords.KeyView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement on {@code tenants} and {@code api_keys}. */
@Repository
public class TenantRepository {

  public record TenantRow(UUID id, String name, Instant createdAt) {}

  private final JdbcClient jdbc;

  public TenantRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The tenant of an unrevoked key with this digest. */
  public Optional<Tenant> findByActiveKeyHash(String keyHash) {
    return jdbc.sql(
            """
            SELECT t.id, t.name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
            WHERE k.key_hash = :hash AND k.revoked_at IS NULL
            """)
        .param("hash", keyHash)
        .query((rs, n) -> new Tenant(rs.getObject("id", UUID.class), rs.getString("name")))
        .optional();
  }

  public boolean keyHashExists(String keyHash) {
    return jdbc.sql("SELECT EXISTS (SELECT 1 FROM api_keys WHERE key_hash = :hash)")
        .param("hash", keyHash)
        .query(Boolean.class)
        .single();
  }

  public TenantRow insertTenant(UUID id, String name) {
    return jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name) RETURNING *")
        .param("id", id)
        .param("name", name)
        .query(TenantRepository::tenantRow)
        .single();
  }

  public KeyView insertKey(UUID id, UUID tenantId, String keyHash, String prefix, String label) {
    return jdbc.sql(
            """
            INSERT INTO api_keys (id, tenant_id, key_hash, key_prefix, label)
            VALUES (:id, :tenantId, :hash, :prefix, :label)
            RETURNING *
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("hash", keyHash)
        .param("prefix", prefix)
        .param("label", label)
        .query(TenantRepository::keyView)
        .single();
  }

  /** Marks a key revoked (keeping the first revocation time); empty when no such key exists. */
  public Optional<KeyView> revokeKey(UUID keyId) {
    return jdbc.sql(
            """
            UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
            WHERE id = :id
            RETURNING *
            """)
        .param("id", keyId)
        .query(TenantRepository::keyView)
        .optional();
  }

  public Optional<TenantRow> findTenant(UUID id) {
    return jdbc.sql("SELECT * FROM tenants WHERE id = :id")
        .param("id", id)
        .query(TenantRepository::tenantRow)
        .optional();
  }

  public Optional<TenantRow> findTenantByName(String name) {
    return jdbc.sql("SELECT * FROM tenants WHERE name = :name")
        .param("name", name)
        .query(TenantRepository::tenantRow)
        .optional();
  }

  public boolean anyTenantExists() {
    return jdbc.sql("SELECT EXISTS (SELECT 1 FROM tenants)").query(Boolean.class).single();
  }

  public List<TenantRow> pageTenants(int limit, int offset) {
    return jdbc.sql("SELECT * FROM tenants ORDER BY created_at, id LIMIT :limit OFFSET :offset")
        .param("limit", limit)
        .param("offset", offset)
        .query(TenantRepository::tenantRow)
        .list();
  }

  public long countTenants() {
    return jdbc.sql("SELECT count(*) FROM tenants").query(Long.class).single();
  }

  public List<KeyView> keysOf(Collection<UUID> tenantIds) {
    if (tenantIds.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            "SELECT * FROM api_keys WHERE tenant_id IN (:tenantIds) ORDER BY created_at, id")
        .param("tenantIds", tenantIds)
        .query(TenantRepository::keyView)
        .list();
  }

  /**
   * Serializes start-up bootstraps of several instances sharing one database, until the transaction
   * ends.
   */
  public void lockBootstrap() {
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('dti.default-tenant-bootstrap'))")
        .query((rs, n) -> 1)
        .single();
  }

  private static TenantRow tenantRow(ResultSet rs, int n) throws SQLException {
    return new TenantRow(
        rs.getObject("id", UUID.class), rs.getString("name"), instant(rs, "created_at"));
  }

  private static KeyView keyView(ResultSet rs, int n) throws SQLException {
    return new KeyView(
        rs.getObject("id", UUID.class),
        rs.getObject("tenant_id", UUID.class),
        rs.getString("key_prefix"),
        rs.getString("label"),
        instant(rs, "created_at"),
        instant(rs, "revoked_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}
