package dev.dti.embedding;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A learned embedding of a concept at one training step: what the service produces. Per text
 * encoder of the base model it holds the n × d rows the concept's token stands for and that
 * encoder's norm m (the mean norm of its vocabulary rows, DTI's fixed magnitude). SD 1.x and 2.x
 * have one text encoder, {@value #TEXT_ENCODER}; SDXL has a second, {@value #TEXT_ENCODER_2}.
 *
 * <p>Build one with {@link #builder}; every field is named at the call site.
 *
 * @param encoders per text encoder name, in the model's order
 * @param isFinal the embedding at the end of training (or an import), not a snapshot
 * @param loss the training loss at {@code step}; null for imports
 * @param fileMetadata the text metadata of the file the embedding was imported from (A1111's {@code
 *     step}, {@code sd_checkpoint}, …), written back into exported files; empty for learned
 *     embeddings
 */
public record Embedding(
    UUID conceptId,
    UUID tenantId,
    int step,
    boolean isFinal,
    Map<String, EncoderRows> encoders,
    TrainingMethod method,
    String baseModelId,
    Double loss,
    Map<String, String> fileMetadata) {

  /**
   * The name of the text encoder of SD 1.x and 2.x models: diffusers' name of its folder and
   * component ({@code text_encoder/}; SDXL adds {@code text_encoder_2}). A1111 and ComfyUI name the
   * same two encoders of an SDXL embedding file {@code clip_l} and {@code clip_g}.
   */
  public static final String TEXT_ENCODER = "text_encoder";

  /**
   * The name of SDXL's second text encoder (OpenCLIP bigG, {@code CLIPTextModelWithProjection}):
   * diffusers' {@code text_encoder_2/}; A1111's and ComfyUI's {@code clip_g}.
   */
  public static final String TEXT_ENCODER_2 = "text_encoder_2";

  /** The rows of one text encoder and the norm m of that encoder's vocabulary. */
  public record EncoderRows(float[][] rows, double normM) {}

  public Embedding {
    if (encoders.isEmpty()) {
      throw new IllegalArgumentException("an embedding has rows for at least one text encoder");
    }
    encoders = Collections.unmodifiableMap(new LinkedHashMap<>(encoders));
    fileMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(fileMetadata));
  }

  /** The rows and norm of one text encoder. */
  public EncoderRows encoder(String name) {
    EncoderRows rows = encoders.get(name);
    if (rows == null) {
      throw new IllegalArgumentException(
          "the embedding has no rows for text encoder " + name + ", only " + encoders.keySet());
    }
    return rows;
  }

  /** The rows of one text encoder. */
  public float[][] rows(String encoder) {
    return encoder(encoder).rows();
  }

  /** The number of vectors per encoder (the same for every encoder: one per token position). */
  public int vectors() {
    return encoders.values().iterator().next().rows().length;
  }

  public static Builder builder(UUID conceptId, UUID tenantId) {
    return new Builder(conceptId, tenantId);
  }

  /** Named construction of an {@link Embedding}; step 0, not final, no loss, no file metadata. */
  public static final class Builder {
    private final UUID conceptId;
    private final UUID tenantId;
    private int step;
    private boolean isFinal;
    private final Map<String, EncoderRows> encoders = new LinkedHashMap<>();
    private TrainingMethod method;
    private String baseModelId;
    private Double loss;
    private Map<String, String> fileMetadata = Map.of();

    private Builder(UUID conceptId, UUID tenantId) {
      this.conceptId = conceptId;
      this.tenantId = tenantId;
    }

    public Builder step(int step) {
      this.step = step;
      return this;
    }

    public Builder isFinal(boolean isFinal) {
      this.isFinal = isFinal;
      return this;
    }

    /** Adds the rows of one text encoder; {@code normM} is that encoder's vocabulary norm. */
    public Builder encoder(String name, float[][] rows, double normM) {
      encoders.put(name, new EncoderRows(rows, normM));
      return this;
    }

    public Builder method(TrainingMethod method) {
      this.method = method;
      return this;
    }

    public Builder baseModelId(String baseModelId) {
      this.baseModelId = baseModelId;
      return this;
    }

    public Builder loss(Double loss) {
      this.loss = loss;
      return this;
    }

    public Builder fileMetadata(Map<String, String> fileMetadata) {
      this.fileMetadata = fileMetadata;
      return this;
    }

    public Embedding build() {
      return new Embedding(
          conceptId, tenantId, step, isFinal, encoders, method, baseModelId, loss, fileMetadata);
    }
  }
}
