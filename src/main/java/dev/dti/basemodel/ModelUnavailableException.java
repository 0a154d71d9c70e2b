package dev.dti.basemodel;

/** The configured base model folder is missing or unreadable. */
public class ModelUnavailableException extends RuntimeException {
  public ModelUnavailableException(String message) {
    super(message);
  }
}
