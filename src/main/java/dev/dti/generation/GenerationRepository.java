package dev.dti.generation;

import dev.dti.embedding.RowBytes;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every SQL statement on {@code generations}, {@code generated_images} and {@code
 * generation_embeddings}; always scoped by tenant, and expired rows are invisible even before the
 * cleaner removes them.
 */
@Repository
class GenerationRepository {

  record GenerationRow(
      UUID id,
      UUID tenantId,
      String kind,
      String requestJson,
      String modelId,
      UUID jobId,
      Instant createdAt,
      Instant expiresAt) {}

  record ImageRow(
      UUID id,
      UUID generationId,
      int position,
      UUID blobId,
      long seed,
      int width,
      int height,
      String metadataJson) {}

  private final JdbcClient jdbc;

  GenerationRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(
      UUID id,
      UUID tenantId,
      String kind,
      String requestJson,
      String modelId,
      UUID jobId,
      Duration retention) {
    jdbc.sql(
            """
            INSERT INTO generations (id, tenant_id, kind, request, model_id, job_id, expires_at)
            VALUES (:id, :tenantId, :kind, CAST(:request AS jsonb), :modelId, :jobId,
                    now() + make_interval(secs => :retention))
            """)
        .param("id", id)
        .param("tenantId", tenantId)
        .param("kind", kind)
        .param("request", requestJson)
        .param("modelId", modelId)
        .param("jobId", jobId)
        .param("retention", retention.toMillis() / 1000.0)
        .update();
  }

  void setJob(UUID id, UUID jobId) {
    jdbc.sql("UPDATE generations SET job_id = :jobId WHERE id = :id")
        .param("id", id)
        .param("jobId", jobId)
        .update();
  }

  /** Results of a job are kept for the full retention from the moment they exist. */
  void renewExpiry(UUID id, Duration retention) {
    jdbc.sql(
            "UPDATE generations SET expires_at = now() + make_interval(secs => :retention)"
                + " WHERE id = :id")
        .param("id", id)
        .param("retention", retention.toMillis() / 1000.0)
        .update();
  }

  Optional<GenerationRow> find(UUID tenantId, UUID id) {
    return jdbc.sql(
            """
            SELECT * FROM generations
            WHERE tenant_id = :tenantId AND id = :id AND expires_at > now()
            """)
        .param("tenantId", tenantId)
        .param("id", id)
        .query(GenerationRepository::generation)
        .optional();
  }

  void insertImage(
      UUID id,
      UUID generationId,
      UUID tenantId,
      int position,
      UUID blobId,
      long seed,
      int width,
      int height,
      String metadataJson) {
    jdbc.sql(
            """
            INSERT INTO generated_images
              (id, generation_id, tenant_id, position, blob_id, seed, width, height, metadata)
            VALUES (:id, :generationId, :tenantId, :position, :blobId, :seed, :width, :height,
                    CAST(:metadata AS jsonb))
            ON CONFLICT (generation_id, position) DO NOTHING
            """)
        .param("id", id)
        .param("generationId", generationId)
        .param("tenantId", tenantId)
        .param("position", position)
        .param("blobId", blobId)
        .param("seed", seed)
        .param("width", width)
        .param("height", height)
        .param("metadata", metadataJson)
        .update();
  }

  List<ImageRow> images(UUID generationId) {
    return jdbc.sql("SELECT * FROM generated_images WHERE generation_id = :id ORDER BY position")
        .param("id", generationId)
        .query(GenerationRepository::image)
        .list();
  }

  Optional<ImageRow> image(UUID tenantId, UUID imageId) {
    return jdbc.sql(
            """
            SELECT i.* FROM generated_images i JOIN generations g ON g.id = i.generation_id
            WHERE i.tenant_id = :tenantId AND i.id = :id AND g.expires_at > now()
            """)
        .param("tenantId", tenantId)
        .param("id", imageId)
        .query(GenerationRepository::image)
        .optional();
  }

  /** Stores the rows of one interpolated point, one row per text encoder. */
  void insertEmbedding(UUID generationId, int position, Map<String, float[][]> encoders) {
    encoders.forEach(
        (encoder, rows) ->
            jdbc.sql(
                    """
                    INSERT INTO generation_embeddings
                        (generation_id, position, text_encoder, num_vectors, dim, rows_f32)
                    VALUES (:id, :position, :encoder, :n, :d, :rows)
                    """)
                .param("id", generationId)
                .param("position", position)
                .param("encoder", encoder)
                .param("n", rows.length)
                .param("d", rows[0].length)
                .param("rows", RowBytes.encode(rows))
                .update());
  }

  /** The interpolated rows of every point, by position, per text encoder in model order. */
  List<Map<String, float[][]>> embeddings(UUID generationId) {
    List<Map<String, float[][]>> points = new ArrayList<>();
    jdbc.sql(
            """
            SELECT position, text_encoder, dim, rows_f32 FROM generation_embeddings
            WHERE generation_id = :id ORDER BY position, text_encoder
            """)
        .param("id", generationId)
        .query(
            rs -> {
              int position = rs.getInt("position");
              while (points.size() <= position) {
                points.add(new LinkedHashMap<>());
              }
              points
                  .get(position)
                  .put(
                      rs.getString("text_encoder"),
                      RowBytes.decode(rs.getBytes("rows_f32"), rs.getInt("dim")));
            });
    return points;
  }

  /** An expired generation, locked for deletion, with the blobs of its images. */
  record Expired(UUID id, UUID tenantId, List<UUID> blobIds) {}

  /**
   * Locks up to {@code limit} generations that expired and whose job (if any) has finished; other
   * cleaners skip them.
   */
  List<Expired> lockExpired(int limit) {
    return jdbc.sql(
            """
            SELECT g.id, g.tenant_id,
                   coalesce((SELECT array_agg(i.blob_id) FROM generated_images i
                             WHERE i.generation_id = g.id), '{}') AS blob_ids
            FROM generations g LEFT JOIN jobs j ON j.id = g.job_id
            WHERE g.expires_at <= now()
              AND (j.id IS NULL OR j.state IN ('succeeded', 'failed', 'canceled'))
            ORDER BY g.expires_at
            LIMIT :limit
            FOR UPDATE OF g SKIP LOCKED
            """)
        .param("limit", limit)
        .query(
            (rs, n) ->
                new Expired(
                    rs.getObject("id", UUID.class),
                    rs.getObject("tenant_id", UUID.class),
                    List.of((UUID[]) rs.getArray("blob_ids").getArray())))
        .list();
  }

  /** Deletes generations with their image rows and embeddings (not the blobs). */
  void delete(List<UUID> ids) {
    jdbc.sql("DELETE FROM generations WHERE id IN (:ids)").param("ids", ids).update();
  }

  private static GenerationRow generation(ResultSet rs, int n) throws SQLException {
    return new GenerationRow(
        rs.getObject("id", UUID.class),
        rs.getObject("tenant_id", UUID.class),
        rs.getString("kind"),
        rs.getString("request"),
        rs.getString("model_id"),
        rs.getObject("job_id", UUID.class),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("expires_at").toInstant());
  }

  private static ImageRow image(ResultSet rs, int n) throws SQLException {
    return new ImageRow(
        rs.getObject("id", UUID.class),
        rs.getObject("generation_id", UUID.class),
        rs.getInt("position"),
        rs.getObject("blob_id", UUID.class),
        rs.getLong("seed"),
        rs.getInt("width"),
        rs.getInt("height"),
        rs.getString("metadata"));
  }
}
