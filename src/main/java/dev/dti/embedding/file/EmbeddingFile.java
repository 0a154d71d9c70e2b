package dev.dti.embedding.file;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learned textual-inversion embedding: the token it is used under in prompts, its rows (n vectors
 * of dimension d, n ≤ {@value #MAX_VECTORS}, d ≤ {@value #MAX_DIMENSION}, all finite) and text
 * metadata. The rows and the metadata are copied in, so an instance does not change.
 */
public record EmbeddingFile(String token, float[][] rows, Map<String, String> metadata) {

  /** A1111 and diffusers allow at most the 75 usable positions of a CLIP prompt. */
  public static final int MAX_VECTORS = 75;

  public static final int MAX_DIMENSION = 4096;

  static final int MAX_TOKEN_LENGTH = 256;

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
    if (rows == null || rows.length == 0) {
      throw new EmbeddingFormatException("the embedding has no vectors");
    }
    if (rows.length > MAX_VECTORS) {
      throw new EmbeddingFormatException(
          "the embedding has " + rows.length + " vectors; at most " + MAX_VECTORS + " are allowed");
    }
    int dimension = rows[0] == null ? 0 : rows[0].length;
    if (dimension == 0 || dimension > MAX_DIMENSION) {
      throw new EmbeddingFormatException(
          "the embedding dimension is " + dimension + "; it must be 1 to " + MAX_DIMENSION);
    }
    float[][] copy = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] == null || rows[r].length != dimension) {
        throw new EmbeddingFormatException(
            "row "
                + r
                + " has "
                + (rows[r] == null ? 0 : rows[r].length)
                + " values, not "
                + dimension);
      }
      for (float x : rows[r]) {
        if (Float.isNaN(x)) {
          throw new EmbeddingFormatException("row " + r + " contains NaN");
        }
        if (Float.isInfinite(x)) {
          throw new EmbeddingFormatException("row " + r + " contains Infinity");
        }
      }
      copy[r] = rows[r].clone();
    }
    rows = copy;
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

  /** A copy of the rows; the record's own array is never handed out. */
  @Override
  public float[][] rows() {
    float[][] copy = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      copy[r] = rows[r].clone();
    }
    return copy;
  }

  public int vectors() {
    return rows.length;
  }

  public int dimension() {
    return rows[0].length;
  }

  /** The rows one after another, [n * d], as safetensors stores them. */
  float[] flatRows() {
    int d = dimension();
    float[] flat = new float[rows.length * d];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * d, d);
    }
    return flat;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EmbeddingFile that
        && token.equals(that.token)
        && Arrays.deepEquals(rows, that.rows)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * token.hashCode() + Arrays.deepHashCode(rows)) + metadata.hashCode();
  }

  @Override
  public String toString() {
    return "EmbeddingFile[token="
        + token
        + ", vectors="
        + rows.length
        + ", dimension="
        + rows[0].length
        + ", metadata="
        + metadata
        + "]";
  }
}
