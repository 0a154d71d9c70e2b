package dev.dti.webhook;

import dev.dti.security.Tenant;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import dev.dti.web.RequestFingerprint;
import dev.dti.webhook.WebhookViews.CreateWebhookRequest;
import dev.dti.webhook.WebhookViews.DeliveryView;
import dev.dti.webhook.WebhookViews.WebhookView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/v1/webhooks")
@Tag(
    name = "webhooks",
    description =
        "Endpoints that receive signed events (Standard Webhooks v1): jobs, generations, concepts")
class WebhookController {

  private final WebhookService webhooks;
  private final Idempotency idempotency;
  private final JsonMapper json;

  WebhookController(WebhookService webhooks, Idempotency idempotency, JsonMapper json) {
    this.webhooks = webhooks;
    this.idempotency = idempotency;
    this.json = json;
  }

  @PostMapping
  @Operation(
      summary = "Register an endpoint; the answer holds its secret, shown only here",
      description =
          "Send an Idempotency-Key to make retries safe: a retry answers the same endpoint and"
              + " secret.")
  @ApiResponse(
      responseCode = "201",
      headers = @Header(name = "Location", description = "/v1/webhooks/{id}"),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON_VALUE,
              schema = @Schema(implementation = WebhookView.class)))
  @ApiResponse(
      responseCode = "400",
      description = "Unknown event, or a URL that is not https or reaches a non-public address")
  ResponseEntity<String> create(
      Tenant tenant,
      @RequestBody CreateWebhookRequest request,
      @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
      HttpServletRequest http) {
    return idempotency.execute(
        tenant.id(),
        idempotencyKey,
        RequestFingerprint.of(http, json.writeValueAsString(request)),
        () -> {
          WebhookView created = webhooks.create(tenant, request);
          return new Created(HttpStatus.CREATED, "/v1/webhooks/" + created.id(), created);
        });
  }

  @GetMapping
  @Operation(summary = "List endpoints, newest first")
  PageResponse<WebhookView> list(
      Tenant tenant,
      @Parameter(description = "0-based page number") @RequestParam(defaultValue = "0") int page,
      @Parameter(description = "Items per page, 1–" + PageRequest.MAX_SIZE)
          @RequestParam(defaultValue = "" + PageRequest.DEFAULT_SIZE)
          int size) {
    return webhooks.list(tenant, PageRequest.of(page, size));
  }

  @GetMapping("/{id}")
  @Operation(summary = "An endpoint (without its secret)")
  WebhookView get(Tenant tenant, @PathVariable UUID id) {
    return webhooks.get(tenant, id);
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete an endpoint with its deliveries")
  void delete(Tenant tenant, @PathVariable UUID id) {
    webhooks.delete(tenant, id);
  }

  @PostMapping("/{id}/rotate-secret")
  @Operation(
      summary = "A new secret; the previous one also signs for dti.webhooks.rotation-grace (24 h)")
  WebhookView rotateSecret(Tenant tenant, @PathVariable UUID id) {
    return webhooks.rotateSecret(tenant, id);
  }

  @PostMapping("/{id}/test")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Send a webhook.test message to the endpoint")
  @ApiResponse(responseCode = "409", description = "The endpoint is disabled")
  DeliveryView test(Tenant tenant, @PathVariable UUID id) {
    return webhooks.test(tenant, id);
  }

  @GetMapping("/{id}/deliveries")
  @Operation(summary = "Messages to the endpoint with their attempts, newest first")
  PageResponse<DeliveryView> deliveries(
      Tenant tenant,
      @PathVariable UUID id,
      @Parameter(description = "0-based page number") @RequestParam(defaultValue = "0") int page,
      @Parameter(description = "Items per page, 1–" + PageRequest.MAX_SIZE)
          @RequestParam(defaultValue = "" + PageRequest.DEFAULT_SIZE)
          int size) {
    return webhooks.deliveries(tenant, id, PageRequest.of(page, size));
  }

  @PostMapping("/{id}/deliveries/{deliveryId}/resend")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Send one message again, with the same webhook-id")
  @ApiResponse(
      responseCode = "409",
      description = "The endpoint is disabled, or the message is being sent")
  DeliveryView resend(Tenant tenant, @PathVariable UUID id, @PathVariable String deliveryId) {
    return webhooks.resend(tenant, id, deliveryId);
  }
}
