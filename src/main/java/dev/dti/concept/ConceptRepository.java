package dev.dti.concept;

import dev.dti.embedding.TrainingMethod;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every SQL statement on {@code concepts} and {@code concept_images}; always scoped by tenant. */
@Repository
class ConceptRepository {

  record ConceptRow(
      UUID id,
      String name,
      String token,
      String initializer,
      TrainingMethod method,
      TemplateSet templates,
      String hyperparametersJson,
      int imageCount,
      Instant createdAt,
      Instant updatedAt) {}

  record ImageRow(
      int position,
      UUID blobId,
      String filename,
      String contentType,
      int width,
      int height,
      long sizeBytes,
      String caption) {}

  private static final String SELECT_CONCEPT =
      """
      SELECT c.*, (SELECT count(*) FROM concept_images i WHERE i.concept_id = c.id) AS image_count
      FROM concepts c
      """;

  private final JdbcClient jdbc;

  ConceptRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insertConcept(
      UUID id,
      UUID tenantId,
      String name,
      String token,
      String initializer,
      TrainingMethod method,
      TemplateSet templates,
      String hyperparametersJson) {
    jdbc.sql(
            """
            INSERT INTO concepts (id, tenant_id, name, token, initializer, method, templates, hyperparameters)
            VALUES (:id, :tenantId, :name, :token, :initializer, :method, :templates,
                    CAST(:hyperparameters AS jsonb))
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("name", name)
        .param("token", token)
        .param("initializer", initializer)
        .param("method", method.wireName())
        .param("templates", templates.wireName())
        .param("hyperparameters", hyperparametersJson)
        .update();
  }

  void insertImage(
      UUID conceptId,
      int position,
      UUID blobId,
      String filename,
      String contentType,
      int width,
      int height,
      String caption) {
    jdbc.sql(
            """
            INSERT INTO concept_images
              (id, concept_id, position, blob_id, filename, content_type, width, height, caption)
            VALUES (:id, :conceptId, :position, :blobId, :filename, :contentType, :width, :height, :caption)
            """)
        .param("id", UUID.randomUUID())
        .param("conceptId", conceptId)
        .param("position", position)
        .param("blobId", blobId)
        .param("filename", filename)
        .param("contentType", contentType)
        .param("width", width)
        .param("height", height)
        .param("caption", caption)
        .update();
  }

  Optional<UUID> findIdByToken(UUID tenantId, String token) {
    return jdbc.sql("SELECT id FROM concepts WHERE tenant_id = :tenantId AND token = :token")
        .param("tenantId", tenantId)
        .param("token", token)
        .query(UUID.class)
        .optional();
  }

  Optional<ConceptRow> find(UUID tenantId, UUID id) {
    return jdbc.sql(SELECT_CONCEPT + " WHERE c.tenant_id = :tenantId AND c.id = :id")
        .param("tenantId", tenantId)
        .param("id", id)
        .query(ConceptRepository::conceptRow)
        .optional();
  }

  /** Newest first. */
  List<ConceptRow> page(UUID tenantId, int limit, int offset) {
    return jdbc.sql(
            SELECT_CONCEPT
                + """
                 WHERE c.tenant_id = :tenantId
                ORDER BY c.created_at DESC, c.id
                LIMIT :limit OFFSET :offset
                """)
        .param("tenantId", tenantId)
        .param("limit", limit)
        .param("offset", offset)
        .query(ConceptRepository::conceptRow)
        .list();
  }

  long count(UUID tenantId) {
    return jdbc.sql("SELECT count(*) FROM concepts WHERE tenant_id = :tenantId")
        .param("tenantId", tenantId)
        .query(Long.class)
        .single();
  }

  /** The images of a concept of this tenant, by position. */
  List<ImageRow> images(UUID tenantId, UUID conceptId) {
    return jdbc.sql(
            """
            SELECT i.position, i.blob_id, i.filename, i.content_type, i.width, i.height, i.caption,
                   b.size_bytes
            FROM concept_images i
            JOIN concepts c ON c.id = i.concept_id
            JOIN blobs b ON b.id = i.blob_id
            WHERE c.tenant_id = :tenantId AND c.id = :conceptId
            ORDER BY i.position
            """)
        .param("tenantId", tenantId)
        .param("conceptId", conceptId)
        .query(
            (rs, n) ->
                new ImageRow(
                    rs.getInt("position"),
                    rs.getObject("blob_id", UUID.class),
                    rs.getString("filename"),
                    rs.getString("content_type"),
                    rs.getInt("width"),
                    rs.getInt("height"),
                    rs.getLong("size_bytes"),
                    rs.getString("caption")))
        .list();
  }

  /** Deletes the concept and (by cascade) its image rows; true when it existed. */
  boolean delete(UUID tenantId, UUID id) {
    return jdbc.sql("DELETE FROM concepts WHERE tenant_id = :tenantId AND id = :id")
            .param("tenantId", tenantId)
            .param("id", id)
            .update()
        == 1;
  }

  private static ConceptRow conceptRow(ResultSet rs, int n) throws SQLException {
    return new ConceptRow(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        rs.getString("token"),
        rs.getString("initializer"),
        TrainingMethod.ofWire(rs.getString("method")),
        TemplateSet.ofWire(rs.getString("templates")),
        rs.getString("hyperparameters"),
        rs.getInt("image_count"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp ts = rs.getTimestamp(column);
    return ts == null ? null : ts.toInstant();
  }
}
