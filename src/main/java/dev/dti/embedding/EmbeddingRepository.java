package dev.dti.embedding;

import dev.dti.embedding.Embedding.EncoderRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every SQL statement on learned embeddings ({@code concept_embeddings}). One table row holds one
 * text encoder's rows of an embedding at one step, so an embedding is the rows of its {@code
 * (concept_id, step)}; the columns other than {@code text_encoder}, {@code rows_f32} and {@code
 * norm_m} are the same in all of them.
 */
@Repository
public class EmbeddingRepository {

  private static final TypeReference<Map<String, String>> TEXT_MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  public EmbeddingRepository(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Stores the embedding at its step (replacing an earlier write of the same step).
   *
   * @param jobId the training job that learned it; null for imports
   */
  public void save(UUID jobId, Embedding embedding) {
    for (Map.Entry<String, EncoderRows> encoder : embedding.encoders().entrySet()) {
      float[][] rows = encoder.getValue().rows();
      jdbc.sql(
              """
              INSERT INTO concept_embeddings
                (id, concept_id, tenant_id, job_id, step, is_final, text_encoder, num_vectors, dim,
                 rows_f32, norm_m, method, base_model_id, loss, file_metadata)
              VALUES (:id, :conceptId, :tenantId, :jobId, :step, :isFinal, :encoder, :n, :d,
                      :rows, :m, :method, :model, :loss, CAST(:fileMetadata AS jsonb))
              ON CONFLICT (concept_id, step, text_encoder) DO UPDATE SET
                is_final = EXCLUDED.is_final, rows_f32 = EXCLUDED.rows_f32, job_id = EXCLUDED.job_id,
                norm_m = EXCLUDED.norm_m, loss = EXCLUDED.loss, base_model_id = EXCLUDED.base_model_id,
                file_metadata = EXCLUDED.file_metadata
              """)
          .param("id", UUID.randomUUID())
          .param("conceptId", embedding.conceptId())
          .param("tenantId", embedding.tenantId())
          .param("jobId", jobId)
          .param("step", embedding.step())
          .param("isFinal", embedding.isFinal())
          .param("encoder", encoder.getKey())
          .param("n", rows.length)
          .param("d", rows[0].length)
          .param("rows", RowBytes.encode(rows))
          .param("m", encoder.getValue().normM())
          .param("method", embedding.method().wireName())
          .param("model", embedding.baseModelId())
          .param("loss", embedding.loss())
          .param("fileMetadata", json.writeValueAsString(embedding.fileMetadata()))
          .update();
    }
  }

  /** The concept's final embedding, else its latest snapshot; {@code step} picks one by step. */
  public Optional<Embedding> find(UUID tenantId, UUID conceptId, Integer step) {
    List<Embedding> parts =
        jdbc.sql(
                """
                SELECT *, file_metadata::text AS file_metadata_text FROM concept_embeddings
                WHERE tenant_id = :tenantId AND concept_id = :conceptId
                  AND step = (
                    SELECT step FROM concept_embeddings
                    WHERE tenant_id = :tenantId AND concept_id = :conceptId
                      AND (CAST(:step AS int) IS NULL OR step = :step)
                    ORDER BY is_final DESC, step DESC
                    LIMIT 1)
                ORDER BY created_at, text_encoder
                """)
            .param("tenantId", tenantId)
            .param("conceptId", conceptId)
            .param("step", step)
            .query(
                (rs, n) ->
                    Embedding.builder(
                            rs.getObject("concept_id", UUID.class),
                            rs.getObject("tenant_id", UUID.class))
                        .step(rs.getInt("step"))
                        .isFinal(rs.getBoolean("is_final"))
                        .encoder(
                            rs.getString("text_encoder"),
                            RowBytes.decode(rs.getBytes("rows_f32"), rs.getInt("dim")),
                            rs.getDouble("norm_m"))
                        .method(TrainingMethod.ofWire(rs.getString("method")))
                        .baseModelId(rs.getString("base_model_id"))
                        .loss((Double) rs.getObject("loss"))
                        .fileMetadata(json.readValue(rs.getString("file_metadata_text"), TEXT_MAP))
                        .build())
            .list();
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    Map<String, EncoderRows> encoders = new LinkedHashMap<>();
    parts.forEach(part -> encoders.putAll(part.encoders()));
    Embedding first = parts.getFirst();
    return Optional.of(
        new Embedding(
            first.conceptId(),
            first.tenantId(),
            first.step(),
            first.isFinal(),
            encoders,
            first.method(),
            first.baseModelId(),
            first.loss(),
            first.fileMetadata()));
  }

  /** The steps at which the concept has snapshots, ascending. */
  public List<Integer> steps(UUID tenantId, UUID conceptId) {
    return new ArrayList<>(
        jdbc.sql(
                """
                SELECT DISTINCT step FROM concept_embeddings
                WHERE tenant_id = :tenantId AND concept_id = :conceptId ORDER BY step
                """)
            .param("tenantId", tenantId)
            .param("conceptId", conceptId)
            .query(Integer.class)
            .list());
  }
}
