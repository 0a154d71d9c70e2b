package dev.dti.webhook;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The events an endpoint can subscribe to, by their wire names. */
public enum WebhookEventType {
  JOB_STARTED("job.started"),
  JOB_PROGRESS("job.progress"),
  JOB_SUCCEEDED("job.succeeded"),
  JOB_FAILED("job.failed"),
  JOB_CANCELED("job.canceled"),
  GENERATION_SUCCEEDED("generation.succeeded"),
  GENERATION_FAILED("generation.failed"),
  INTERPOLATION_SUCCEEDED("interpolation.succeeded"),
  INTERPOLATION_FAILED("interpolation.failed"),
  CONCEPT_DELETED("concept.deleted");

  /** Sent by {@code POST /v1/webhooks/{id}/test} whatever the endpoint subscribed to. */
  public static final String TEST = "webhook.test";

  public static final String ALL =
      Arrays.stream(values()).map(WebhookEventType::wireName).collect(Collectors.joining(", "));

  private final String wireName;

  WebhookEventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<WebhookEventType> fromWireName(String name) {
    return Arrays.stream(values()).filter(type -> type.wireName.equals(name)).findFirst();
  }
}
