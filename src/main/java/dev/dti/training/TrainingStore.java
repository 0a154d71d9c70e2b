package dev.dti.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every SQL statement on learned embeddings ({@code concept_embeddings}), training checkpoints and
 * previews. Rows are stored as little-endian float32, n × d.
 */
@Repository
public class TrainingStore {

  /** A stored embedding of a concept: its rows at one step. */
  public record StoredEmbedding(
      UUID conceptId,
      UUID tenantId,
      int step,
      boolean isFinal,
      float[][] rows,
      double normM,
      String method,
      String baseModelId,
      Double loss) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;

  public TrainingStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public void saveCheckpoint(UUID jobId, TrainingCheckpoint checkpoint) {
    jdbc.sql(
            """
            INSERT INTO training_checkpoints
              (job_id, step, rows_f32, optimizer_state, loss_history, norm_history, updated_at)
            VALUES (:jobId, :step, :rows, :state, CAST(:loss AS jsonb), CAST(:norm AS jsonb), now())
            ON CONFLICT (job_id) DO UPDATE SET
              step = EXCLUDED.step, rows_f32 = EXCLUDED.rows_f32,
              optimizer_state = EXCLUDED.optimizer_state, loss_history = EXCLUDED.loss_history,
              norm_history = EXCLUDED.norm_history, updated_at = now()
            """)
        .param("jobId", jobId)
        .param("step", checkpoint.step())
        .param("rows", toBytes(checkpoint.parameters()))
        .param("state", OptimizerStates.toBytes(checkpoint.optimizerState()))
        .param("loss", json.writeValueAsString(checkpoint.lossHistory()))
        .param("norm", json.writeValueAsString(checkpoint.normHistory()))
        .update();
  }

  public Optional<TrainingCheckpoint> loadCheckpoint(UUID jobId) {
    return jdbc.sql(
            """
            SELECT step, rows_f32, optimizer_state, loss_history::text AS loss, norm_history::text AS norm
            FROM training_checkpoints WHERE job_id = :jobId
            """)
        .param("jobId", jobId)
        .query(
            (rs, n) -> {
              float[][] parameters = fromBytes(rs.getBytes("rows_f32"), -1);
              return new TrainingCheckpoint(
                  rs.getInt("step"),
                  parameters,
                  OptimizerStates.fromBytes(rs.getBytes("optimizer_state")),
                  json.readValue(rs.getString("loss"), float[].class),
                  json.readValue(rs.getString("norm"), float[].class));
            })
        .optional();
  }

  /** Loss and norm per step so far (empty arrays before the first checkpoint). */
  public Optional<float[][]> histories(UUID jobId) {
    return jdbc.sql(
            "SELECT loss_history::text AS loss, norm_history::text AS norm FROM training_checkpoints WHERE job_id = :jobId")
        .param("jobId", jobId)
        .query(
            (rs, n) ->
                new float[][] {
                  json.readValue(rs.getString("loss"), float[].class),
                  json.readValue(rs.getString("norm"), float[].class)
                })
        .optional();
  }

  /** Stores the concept's rows at {@code step} (replacing an earlier write of the same step). */
  public void saveEmbedding(UUID jobId, StoredEmbedding embedding) {
    jdbc.sql(
            """
            INSERT INTO concept_embeddings
              (id, concept_id, tenant_id, job_id, step, is_final, num_vectors, dim, rows_f32,
               norm_m, method, base_model_id, loss)
            VALUES (:id, :conceptId, :tenantId, :jobId, :step, :isFinal, :n, :d, :rows,
                    :m, :method, :model, :loss)
            ON CONFLICT (concept_id, step) DO UPDATE SET
              is_final = EXCLUDED.is_final, rows_f32 = EXCLUDED.rows_f32, job_id = EXCLUDED.job_id,
              norm_m = EXCLUDED.norm_m, loss = EXCLUDED.loss, base_model_id = EXCLUDED.base_model_id
            """)
        .param("id", UUID.randomUUID())
        .param("conceptId", embedding.conceptId())
        .param("tenantId", embedding.tenantId())
        .param("jobId", jobId)
        .param("step", embedding.step())
        .param("isFinal", embedding.isFinal())
        .param("n", embedding.rows().length)
        .param("d", embedding.rows()[0].length)
        .param("rows", toBytes(embedding.rows()))
        .param("m", embedding.normM())
        .param("method", embedding.method())
        .param("model", embedding.baseModelId())
        .param("loss", embedding.loss())
        .update();
  }

  /** The concept's final embedding, else its latest snapshot; {@code step} picks one by step. */
  public Optional<StoredEmbedding> embedding(UUID tenantId, UUID conceptId, Integer step) {
    return jdbc.sql(
            """
            SELECT * FROM concept_embeddings
            WHERE tenant_id = :tenantId AND concept_id = :conceptId
              AND (CAST(:step AS int) IS NULL OR step = :step)
            ORDER BY is_final DESC, step DESC
            LIMIT 1
            """)
        .param("tenantId", tenantId)
        .param("conceptId", conceptId)
        .param("step", step)
        .query(
            (rs, n) ->
                new StoredEmbedding(
                    rs.getObject("concept_id", UUID.class),
                    rs.getObject("tenant_id", UUID.class),
                    rs.getInt("step"),
                    rs.getBoolean("is_final"),
                    fromBytes(rs.getBytes("rows_f32"), rs.getInt("dim")),
                    rs.getDouble("norm_m"),
                    rs.getString("method"),
                    rs.getString("base_model_id"),
                    (Double) rs.getObject("loss")))
        .optional();
  }

  /** The steps at which the concept has snapshots, ascending. */
  public List<Integer> steps(UUID tenantId, UUID conceptId) {
    return jdbc.sql(
            "SELECT step FROM concept_embeddings WHERE tenant_id = :tenantId AND concept_id = :conceptId ORDER BY step")
        .param("tenantId", tenantId)
        .param("conceptId", conceptId)
        .query(Integer.class)
        .list();
  }

  public void savePreview(UUID jobId, int step, UUID blobId, String prompt) {
    jdbc.sql(
            """
            INSERT INTO training_previews (job_id, step, blob_id, prompt) VALUES (:jobId, :step, :blobId, :prompt)
            ON CONFLICT (job_id, step) DO UPDATE SET blob_id = EXCLUDED.blob_id, prompt = EXCLUDED.prompt
            """)
        .param("jobId", jobId)
        .param("step", step)
        .param("blobId", blobId)
        .param("prompt", prompt)
        .update();
  }

  /** The steps at which the job wrote a preview, ascending. */
  public List<Integer> previewSteps(UUID jobId) {
    return jdbc.sql("SELECT step FROM training_previews WHERE job_id = :jobId ORDER BY step")
        .param("jobId", jobId)
        .query(Integer.class)
        .list();
  }

  public Optional<UUID> previewBlob(UUID jobId, int step) {
    return jdbc.sql("SELECT blob_id FROM training_previews WHERE job_id = :jobId AND step = :step")
        .param("jobId", jobId)
        .param("step", step)
        .query(UUID.class)
        .optional();
  }

  /**
   * Rows as stored in {@code rows_f32}: an (n, d) int32 header, then n × d float32, little-endian.
   */
  public static byte[] toBytes(float[][] rows) {
    ByteBuffer buffer =
        ByteBuffer.allocate(8 + rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(rows.length).putInt(rows[0].length);
    for (float[] row : rows) {
      for (float x : row) {
        buffer.putFloat(x);
      }
    }
    return buffer.array();
  }

  /** Reads {@link #toBytes}' layout (n, d header, then the floats). */
  public static float[][] fromBytes(byte[] bytes, int expectedDim) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = buffer.getInt();
    int d = buffer.getInt();
    if (expectedDim >= 0 && d != expectedDim) {
      throw new IllegalStateException(
          "stored rows have dimension " + d + ", expected " + expectedDim);
    }
    float[][] rows = new float[n][d];
    for (float[] row : rows) {
      for (int i = 0; i < d; i++) {
        row[i] = buffer.getFloat();
      }
    }
    return rows;
  }
}
