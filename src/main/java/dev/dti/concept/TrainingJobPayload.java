package dev.dti.concept;

import dev.dti.job.PayloadValues;
import java.util.UUID;

/**
 * The payload of a concept's training job: {@code {"conceptId": "…"}}. The concept is all a
 * training job needs; its images, token and hyperparameters are read from it when the job runs.
 * Deleting the concept removes the key from its jobs' payloads.
 */
public final class TrainingJobPayload {

  /** The payload key that links a training job to its concept. */
  public static final String CONCEPT_ID = "conceptId";

  private TrainingJobPayload() {}

  public static String of(UUID conceptId) {
    return "{\"" + CONCEPT_ID + "\": \"" + conceptId + "\"}";
  }

  /** The concept the job trains, or null when it was deleted. */
  public static UUID conceptId(String payloadJson) {
    String id = PayloadValues.string(payloadJson, CONCEPT_ID);
    return id == null ? null : UUID.fromString(id);
  }
}
