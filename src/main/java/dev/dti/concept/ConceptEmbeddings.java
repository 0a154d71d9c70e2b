package dev.dti.concept;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Every SQL statement on {@code concept_embeddings}: the learned rows of each concept, one row per
 * saved training step plus the final one. Training writes through {@link #insert}; generation reads
 * a concept's usable embedding with {@link #usable}: its {@code is_final} row, else the row of its
 * latest step. Always scoped by tenant.
 */
@Repository
public class ConceptEmbeddings {

  /** A concept of a tenant, found by its token. */
  public record ConceptRef(UUID id, String token, String method) {}

  /**
   * One stored embedding.
   *
   * @param rows n × d, as trained
   * @param normM the base model's mean vocabulary norm m (DTI keeps every row at this norm)
   * @param method {@code dti} or {@code ti}
   */
  public record StoredEmbedding(
      UUID id,
      UUID conceptId,
      String token,
      String method,
      int step,
      boolean isFinal,
      float[][] rows,
      double normM,
      String baseModelId) {

    public int vectors() {
      return rows.length;
    }

    public int dimension() {
      return rows[0].length;
    }
  }

  /** What training records for a step. */
  public record NewEmbedding(
      UUID conceptId,
      UUID tenantId,
      UUID jobId,
      int step,
      boolean isFinal,
      float[][] rows,
      double normM,
      String method,
      String baseModelId,
      Double loss) {}

  private static final String SELECT =
      """
      SELECT e.id, e.concept_id, c.token, e.method, e.step, e.is_final, e.num_vectors, e.dim,
             e.rows_f32, e.norm_m, e.base_model_id
      FROM concept_embeddings e JOIN concepts c ON c.id = e.concept_id
      """;

  private final JdbcClient jdbc;

  public ConceptEmbeddings(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<ConceptRef> findConcept(UUID tenantId, String token) {
    return jdbc.sql(
            "SELECT id, token, method FROM concepts WHERE tenant_id = :t AND token = :token")
        .param("t", tenantId)
        .param("token", token)
        .query(
            (rs, n) ->
                new ConceptRef(
                    rs.getObject("id", UUID.class), rs.getString("token"), rs.getString("method")))
        .optional();
  }

  /** The concept's final embedding, else the one of its latest step; empty before the first. */
  public Optional<StoredEmbedding> usable(UUID tenantId, UUID conceptId) {
    return jdbc.sql(
            SELECT
                + """
                WHERE e.tenant_id = :t AND e.concept_id = :c
                ORDER BY e.is_final DESC, e.step DESC
                LIMIT 1
                """)
        .param("t", tenantId)
        .param("c", conceptId)
        .query(ConceptEmbeddings::embedding)
        .optional();
  }

  /** One stored embedding by its id (jobs pin the rows their request resolved). */
  public Optional<StoredEmbedding> find(UUID tenantId, UUID embeddingId) {
    return jdbc.sql(SELECT + " WHERE e.tenant_id = :t AND e.id = :id")
        .param("t", tenantId)
        .param("id", embeddingId)
        .query(ConceptEmbeddings::embedding)
        .optional();
  }

  /**
   * Stores a step's rows and returns the row's id. Saving a step again (a resumed job) replaces its
   * values but keeps its id, which generation jobs may have pinned.
   */
  public UUID insert(NewEmbedding embedding) {
    float[][] rows = embedding.rows();
    return jdbc.sql(
            """
            INSERT INTO concept_embeddings
              (id, concept_id, tenant_id, job_id, step, is_final, num_vectors, dim, rows_f32,
               norm_m, method, base_model_id, loss)
            VALUES (:id, :conceptId, :tenantId, :jobId, :step, :isFinal, :n, :d, :rows,
                    :normM, :method, :baseModelId, :loss)
            ON CONFLICT (concept_id, step) DO UPDATE SET
              job_id = EXCLUDED.job_id, is_final = EXCLUDED.is_final,
              num_vectors = EXCLUDED.num_vectors, dim = EXCLUDED.dim,
              rows_f32 = EXCLUDED.rows_f32, norm_m = EXCLUDED.norm_m, method = EXCLUDED.method,
              base_model_id = EXCLUDED.base_model_id, loss = EXCLUDED.loss, created_at = now()
            RETURNING id
            """)
        .param("id", UUID.randomUUID())
        .param("conceptId", embedding.conceptId())
        .param("tenantId", embedding.tenantId())
        .param("jobId", embedding.jobId())
        .param("step", embedding.step())
        .param("isFinal", embedding.isFinal())
        .param("n", rows.length)
        .param("d", rows[0].length)
        .param("rows", toBytes(rows))
        .param("normM", embedding.normM())
        .param("method", embedding.method())
        .param("baseModelId", embedding.baseModelId())
        .param("loss", embedding.loss())
        .query(UUID.class)
        .single();
  }

  /** n × d float32, little-endian, row after row: the {@code rows_f32} layout. */
  public static byte[] toBytes(float[][] rows) {
    ByteBuffer buffer =
        ByteBuffer.allocate(rows.length * rows[0].length * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float x : row) {
        buffer.putFloat(x);
      }
    }
    return buffer.array();
  }

  public static float[][] fromBytes(byte[] bytes, int vectors, int dim) {
    if (bytes.length != vectors * dim * Float.BYTES) {
      throw new IllegalStateException(
          "rows_f32 has " + bytes.length + " bytes, expected " + vectors + " × " + dim + " × 4");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    float[][] rows = new float[vectors][dim];
    for (float[] row : rows) {
      for (int i = 0; i < dim; i++) {
        row[i] = buffer.getFloat();
      }
    }
    return rows;
  }

  private static StoredEmbedding embedding(ResultSet rs, int n) throws SQLException {
    return new StoredEmbedding(
        rs.getObject("id", UUID.class),
        rs.getObject("concept_id", UUID.class),
        rs.getString("token"),
        rs.getString("method"),
        rs.getInt("step"),
        rs.getBoolean("is_final"),
        fromBytes(rs.getBytes("rows_f32"), rs.getInt("num_vectors"), rs.getInt("dim")),
        rs.getDouble("norm_m"),
        rs.getString("base_model_id"));
  }
}
