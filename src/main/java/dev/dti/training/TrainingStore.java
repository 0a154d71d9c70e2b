package dev.dti.training;

import dev.dti.embedding.RowBytes;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every SQL statement on training checkpoints and previews (learned embeddings are {@link
 * dev.dti.embedding.EmbeddingRepository}'s). A checkpoint's rows are stored in {@link
 * CheckpointParameters}' layout (SD's one encoder: {@link RowBytes}').
 */
@Repository
public class TrainingStore {

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
        .param("rows", CheckpointParameters.encode(checkpoint.parameters()))
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
              return new TrainingCheckpoint(
                  rs.getInt("step"),
                  CheckpointParameters.decode(rs.getBytes("rows_f32")),
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
}
