package dev.dti.embedding.file;

/**
 * An embedding file that cannot be written or read: not an embedding, out of bounds, damaged, or
 * one whose reading would require executing code. The message is meant for the person who uploaded
 * the file.
 */
public class EmbeddingFormatException extends RuntimeException {

  public EmbeddingFormatException(String message) {
    super(message);
  }

  public EmbeddingFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
