package dev.dti.blob;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Keeps blobs in the {@code blobs} table as {@code bytea}: one database to back up, and blob writes
 * commit or roll back with the rows that reference them.
 */
@Repository
public class PostgresBlobStore implements BlobStore {

  private final JdbcClient jdbc;

  public PostgresBlobStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public BlobInfo put(UUID tenantId, String contentType, byte[] bytes) {
    var info = new BlobInfo(UUID.randomUUID(), contentType, bytes.length, sha256(bytes));
    jdbc.sql(
            """
            INSERT INTO blobs (id, tenant_id, content_type, size_bytes, sha256, bytes)
            VALUES (:id, :tenantId, :contentType, :size, :sha256, :bytes)
            """)
        .param("id", info.id())
        .param("tenantId", tenantId)
        .param("contentType", contentType)
        .param("size", info.sizeBytes())
        .param("sha256", info.sha256())
        .param("bytes", bytes)
        .update();
    return info;
  }

  @Override
  public Optional<Blob> get(UUID tenantId, UUID blobId) {
    return jdbc.sql(
            """
            SELECT id, content_type, size_bytes, sha256, bytes FROM blobs
            WHERE id = :id AND tenant_id = :tenantId
            """)
        .param("id", blobId)
        .param("tenantId", tenantId)
        .query(
            (rs, n) ->
                new Blob(
                    new BlobInfo(
                        rs.getObject("id", UUID.class),
                        rs.getString("content_type"),
                        rs.getLong("size_bytes"),
                        rs.getString("sha256")),
                    rs.getBytes("bytes")))
        .optional();
  }

  @Override
  public void delete(UUID tenantId, Collection<UUID> blobIds) {
    if (blobIds.isEmpty()) {
      return;
    }
    jdbc.sql("DELETE FROM blobs WHERE tenant_id = :tenantId AND id IN (:ids)")
        .param("tenantId", tenantId)
        .param("ids", blobIds)
        .update();
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
