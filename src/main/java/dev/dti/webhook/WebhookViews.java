package dev.dti.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the webhooks API reads and answers. */
public final class WebhookViews {

  private WebhookViews() {}

  /** {@code POST /v1/webhooks}. */
  public record CreateWebhookRequest(
      @Schema(example = "https://example.com/hooks/dti") String url,
      @Schema(example = "[\"job.succeeded\", \"job.failed\"]") List<String> events,
      @Schema(example = "Notify the shop when a concept is trained") String description) {}

  /**
   * An endpoint. {@code secret} is present only in the answers of its creation and of a rotation:
   * it cannot be read back.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WebhookView(
      UUID id,
      String url,
      String description,
      List<String> events,
      @Schema(description = "whsec_ + base64 of 32 random bytes; shown once") String secret,
      @Schema(description = "Until then the previous secret also signs (after a rotation)")
          Instant previousSecretExpiresAt,
      boolean disabled,
      @Schema(description = "Why the endpoint was disabled (it answered 410 Gone)")
          String disabledReason,
      Instant createdAt,
      Instant updatedAt) {}

  /** One message to an endpoint, with its attempts newest first. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeliveryView(
      @Schema(description = "The webhook-id header, the same on every attempt", example = "msg_…")
          String id,
      @Schema(example = "job.succeeded") String eventType,
      @Schema(allowableValues = {"pending", "succeeded", "failed", "canceled"}) String state,
      @Schema(description = "Failed attempts since the message was created or resent") int failures,
      @Schema(description = "When a pending message is attempted next") Instant nextAttemptAt,
      Instant createdAt,
      List<AttemptView> attempts) {}

  /** One attempt: the status answered (absent when none came), its duration and what failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AttemptView(Integer statusCode, long durationMs, String error, Instant at) {}
}
