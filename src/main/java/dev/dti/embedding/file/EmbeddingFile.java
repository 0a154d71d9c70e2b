package dev.dti.embedding.file;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A learned textual-inversion embedding: the token it is used under in prompts, its rows per text
 * encoder (n vectors of dimension d each, n ≤ {@value #MAX_VECTORS}, d ≤ {@value #MAX_DIMENSION},
 * all finite) and text metadata. An SD 1.x/2.x file has rows for {@code text_encoder} only; an SDXL
 * file for {@code text_encoder} and {@code text_encoder_2} (A1111's {@code clip_l} and {@code
 * clip_g}), with the same n. The rows and the metadata are copied in, so an instance does not
 * change.
 *
 * @param encoders the rows per text encoder, keyed by diffusers' component name, in model order
 */
public record EmbeddingFile(
    String token, Map<String, float[][]> encoders, Map<String, String> metadata) {

  /** A1111 and diffusers allow at most the 75 usable positions of a CLIP prompt. */
  public static final int MAX_VECTORS = 75;

  public static final int MAX_DIMENSION = 4096;

  static final int MAX_TOKEN_LENGTH = 256;

  /** The encoder sets a file may hold: SD 1.x/2.x's one, or SDXL's two. */
  private static final List<Set<String>> LAYOUTS =
      List.of(Set.of(TEXT_ENCODER), Set.of(TEXT_ENCODER, TEXT_ENCODER_2));

  /** An SD 1.x/2.x embedding: rows for {@code text_encoder} only. */
  public EmbeddingFile(String token, float[][] rows, Map<String, String> metadata) {
    this(token, textEncoderOnly(rows), metadata);
  }

  private static Map<String, float[][]> textEncoderOnly(float[][] rows) {
    Map<String, float[][]> encoders = new LinkedHashMap<>();
    encoders.put(TEXT_ENCODER, rows);
    return encoders;
  }

  /**
   * An SDXL embedding: rows for {@code text_encoder} (clip_l) and {@code text_encoder_2} (clip_g).
   */
  public static EmbeddingFile xl(
      String token, float[][] clipL, float[][] clipG, Map<String, String> metadata) {
    Map<String, float[][]> encoders = new LinkedHashMap<>();
    encoders.put(TEXT_ENCODER, clipL);
    encoders.put(TEXT_ENCODER_2, clipG);
    return new EmbeddingFile(token, encoders, metadata);
  }

  public EmbeddingFile {
    if (token == null || token.isBlank()) {
      throw new EmbeddingFormatException("the embedding has no token");
    }
    if (token.length() > MAX_TOKEN_LENGTH || token.chars().anyMatch(Character::isISOControl)) {
      throw new EmbeddingFormatException(
          "the token must be at most "
              + MAX_TOKEN_LENGTH
              + " characters without control characters");
    }
    if (encoders == null || !LAYOUTS.contains(encoders.keySet())) {
      throw new IllegalArgumentException(
          "an embedding file has rows for [text_encoder] or [text_encoder, text_encoder_2], not "
              + (encoders == null ? "none" : encoders.keySet()));
    }
    Map<String, float[][]> copies = new LinkedHashMap<>();
    for (String encoder : List.of(TEXT_ENCODER, TEXT_ENCODER_2)) {
      if (encoders.containsKey(encoder)) {
        copies.put(
            encoder,
            checkedCopy(
                encoders.get(encoder), encoders.size() == 1 ? "" : fileName(encoder) + " "));
      }
    }
    if (copies.size() == 2) {
      int l = copies.get(TEXT_ENCODER).length;
      int g = copies.get(TEXT_ENCODER_2).length;
      if (l != g) {
        throw new EmbeddingFormatException(
            "clip_l has "
                + l
                + (l == 1 ? " vector" : " vectors")
                + " but clip_g has "
                + g
                + "; an SDXL embedding has one row per token position in each text encoder");
      }
    }
    encoders = Collections.unmodifiableMap(copies);
    Map<String, String> meta = new LinkedHashMap<>();
    if (metadata != null) {
      metadata.forEach(
          (key, value) -> {
            if (key == null || value == null) {
              throw new EmbeddingFormatException("metadata keys and values must not be null");
            }
            meta.put(key, value);
          });
    }
    metadata = Collections.unmodifiableMap(meta);
  }

  /**
   * The name A1111, ComfyUI and kohya give an encoder's tensor in an SDXL file: {@code clip_l} for
   * {@code text_encoder}, {@code clip_g} for {@code text_encoder_2}.
   */
  public static String fileName(String encoder) {
    return switch (encoder) {
      case TEXT_ENCODER -> "clip_l";
      case TEXT_ENCODER_2 -> "clip_g";
      default -> throw new IllegalArgumentException("no text encoder " + encoder);
    };
  }

  private static float[][] checkedCopy(float[][] rows, String which) {
    if (rows == null || rows.length == 0) {
      throw new EmbeddingFormatException("the embedding " + which + "has no vectors");
    }
    if (rows.length > MAX_VECTORS) {
      throw new EmbeddingFormatException(
          "the embedding "
              + which
              + "has "
              + rows.length
              + " vectors; at most "
              + MAX_VECTORS
              + " are allowed");
    }
    int dimension = rows[0] == null ? 0 : rows[0].length;
    if (dimension == 0 || dimension > MAX_DIMENSION) {
      throw new EmbeddingFormatException(
          "the embedding "
              + which
              + "dimension is "
              + dimension
              + "; it must be 1 to "
              + MAX_DIMENSION);
    }
    float[][] copy = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null || rows[r].length != dimension) {
        throw new EmbeddingFormatException(
            which
                + "row "
                + r
                + " has "
                + (rows[r] == null ? 0 : rows[r].length)
                + " values, not "
                + dimension);
      }
      for (float x : rows[r]) {
        if (Float.isNaN(x)) {
          throw new EmbeddingFormatException(which + "row " + r + " contains NaN");
        }
        if (Float.isInfinite(x)) {
          throw new EmbeddingFormatException(which + "row " + r + " contains Infinity");
        }
      }
      copy[r] = rows[r].clone();
    }
    return copy;
  }

  /** Whether this is an SDXL embedding (rows for both text encoders). */
  public boolean isXL() {
    return encoders.size() == 2;
  }

  /** A copy of the encoders' rows; the record's own arrays are never handed out. */
  @Override
  public Map<String, float[][]> encoders() {
    Map<String, float[][]> copy = new LinkedHashMap<>();
    encoders.forEach((name, rows) -> copy.put(name, copyOf(rows)));
    return Collections.unmodifiableMap(copy);
  }

  /** A copy of the rows of one text encoder. */
  public float[][] rows(String encoder) {
    float[][] rows = encoders.get(encoder);
    if (rows == null) {
      throw new IllegalArgumentException(
          "the embedding has no rows for " + encoder + ", only " + encoders.keySet());
    }
    return copyOf(rows);
  }

  /**
   * A copy of the rows of an SD 1.x/2.x embedding, whose only encoder is {@code text_encoder}.
   *
   * @throws IllegalStateException for an SDXL embedding; use {@link #rows(String)}
   */
  public float[][] rows() {
    return rows(single());
  }

  public int vectors() {
    return encoders.values().iterator().next().length;
  }

  /** The width d of an SD 1.x/2.x embedding's rows; for SDXL use {@link #dimension(String)}. */
  public int dimension() {
    return dimension(single());
  }

  public int dimension(String encoder) {
    float[][] rows = encoders.get(encoder);
    if (rows == null) {
      throw new IllegalArgumentException(
          "the embedding has no rows for " + encoder + ", only " + encoders.keySet());
    }
    return rows[0].length;
  }

  private String single() {
    if (encoders.size() != 1) {
      throw new IllegalStateException(
          "an SDXL embedding has rows for " + encoders.keySet() + "; name the encoder");
    }
    return TEXT_ENCODER;
  }

  /** One encoder's rows one after another, [n * d], as safetensors stores them. */
  float[] flatRows(String encoder) {
    float[][] rows = encoders.get(encoder);
    int d = rows[0].length;
    float[] flat = new float[rows.length * d];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * d, d);
    }
    return flat;
  }

  /** This embedding with the rows of {@code encoder} only, as an SD-style single-encoder file. */
  EmbeddingFile only(String encoder) {
    return new EmbeddingFile(token, encoders.get(encoder), metadata);
  }

  private static float[][] copyOf(float[][] rows) {
    float[][] copy = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      copy[r] = rows[r].clone();
    }
    return copy;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof EmbeddingFile that)
        || !token.equals(that.token)
        || !metadata.equals(that.metadata)
        || !encoders.keySet().equals(that.encoders.keySet())) {
      return false;
    }
    for (String encoder : encoders.keySet()) {
      if (!Arrays.deepEquals(encoders.get(encoder), that.encoders.get(encoder))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int hash = token.hashCode();
    for (var entry : encoders.entrySet()) {
      hash = 31 * hash + entry.getKey().hashCode();
      hash = 31 * hash + Arrays.deepHashCode(entry.getValue());
    }
    return 31 * hash + metadata.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder shapes = new StringBuilder();
    encoders.forEach(
        (name, rows) ->
            shapes
                .append(shapes.isEmpty() ? "" : ", ")
                .append(name)
                .append("=[")
                .append(rows.length)
                .append(", ")
                .append(rows[0].length)
                .append(']'));
    return "EmbeddingFile[token=" + token + ", " + shapes + ", metadata=" + metadata + "]";
  }
}
