package dev.dti.webhook;

import dev.dti.concept.ConceptDeleted;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import dev.dti.webhook.WebhookRepository.AttemptRow;
import dev.dti.webhook.WebhookRepository.EndpointRow;
import dev.dti.webhook.WebhookRepository.MessageRow;
import dev.dti.webhook.WebhookViews.AttemptView;
import dev.dti.webhook.WebhookViews.CreateWebhookRequest;
import dev.dti.webhook.WebhookViews.DeliveryView;
import dev.dti.webhook.WebhookViews.WebhookView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhook endpoints of a tenant, and the messages written for them: one row per (event, endpoint),
 * in the transaction of what caused the event. The senders deliver them.
 */
@Service
public class WebhookService {

  static final int MAX_DESCRIPTION = 500;

  private final WebhookRepository webhooks;
  private final EndpointUrlPolicy urls;
  private final RetrySchedule schedule;
  private final WebhookProperties properties;
  private final JsonMapper json;

  WebhookService(
      WebhookRepository webhooks,
      AddressGuard guard,
      RetrySchedule schedule,
      WebhookProperties properties,
      JsonMapper json) {
    this.webhooks = webhooks;
    this.urls = new EndpointUrlPolicy(guard, properties.allowHttp());
    this.schedule = schedule;
    this.properties = properties;
    this.json = json;
  }

  // ---- endpoints ----

  @Transactional
  public WebhookView create(Tenant tenant, CreateWebhookRequest request) {
    if (request == null) {
      throw ApiProblem.badRequest("The request body must be a JSON object with url and events.");
    }
    List<FieldProblem> errors = new ArrayList<>();
    String url = null;
    try {
      url = urls.check(request.url()).toString();
    } catch (ApiProblem problem) {
      errors.addAll(problem.errors());
    }
    List<String> events = new ArrayList<>(new LinkedHashSet<>(orEmpty(request.events())));
    if (events.isEmpty()) {
      errors.add(
          new FieldProblem("events", "name at least one event; valid: " + WebhookEventType.ALL));
    }
    List<String> unknown =
        events.stream().filter(e -> WebhookEventType.fromWireName(e).isEmpty()).toList();
    if (!unknown.isEmpty()) {
      errors.add(
          new FieldProblem(
              "events",
              "unknown event "
                  + unknown.stream().map(e -> "'" + e + "'").collect(Collectors.joining(", "))
                  + "; valid: "
                  + WebhookEventType.ALL));
    }
    String description = request.description() == null ? null : request.description().strip();
    if (description != null && description.length() > MAX_DESCRIPTION) {
      errors.add(
          new FieldProblem("description", "must be at most " + MAX_DESCRIPTION + " characters"));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.invalidFields(errors);
    }
    String secret = WebhookSignature.newSecret();
    EndpointRow row =
        webhooks.insertEndpoint(UUID.randomUUID(), tenant.id(), url, description, events, secret);
    return view(row, secret);
  }

  public PageResponse<WebhookView> list(Tenant tenant, PageRequest page) {
    List<WebhookView> items =
        webhooks.pageEndpoints(tenant.id(), page.size(), page.offset()).stream()
            .map(row -> view(row, null))
            .toList();
    return page.response(items, webhooks.countEndpoints(tenant.id()));
  }

  public WebhookView get(Tenant tenant, UUID id) {
    return view(endpoint(tenant, id), null);
  }

  @Transactional
  public void delete(Tenant tenant, UUID id) {
    if (!webhooks.deleteEndpoint(tenant.id(), id)) {
      throw notFound(id);
    }
  }

  /** A new secret; the previous one keeps signing for {@code dti.webhooks.rotation-grace}. */
  @Transactional
  public WebhookView rotateSecret(Tenant tenant, UUID id) {
    String secret = WebhookSignature.newSecret();
    EndpointRow row =
        webhooks
            .rotateSecret(tenant.id(), id, secret, properties.rotationGrace())
            .orElseThrow(() -> notFound(id));
    return view(row, secret);
  }

  /** Queues a {@code webhook.test} message to the endpoint, whatever it subscribed to. */
  @Transactional
  public DeliveryView test(Tenant tenant, UUID id) {
    EndpointRow endpoint = enabledEndpoint(tenant, id);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("webhookId", endpoint.id());
    data.put("message", "A test message: this endpoint receives webhooks from dti-service.");
    MessageRow message =
        insert(endpoint.id(), tenant.id(), WebhookEventType.TEST, Instant.now(), data);
    return delivery(message, List.of());
  }

  public PageResponse<DeliveryView> deliveries(Tenant tenant, UUID id, PageRequest page) {
    EndpointRow endpoint = endpoint(tenant, id);
    List<MessageRow> messages = webhooks.pageMessages(endpoint.id(), page.size(), page.offset());
    Map<String, List<AttemptRow>> attempts =
        webhooks.attemptsOf(messages.stream().map(MessageRow::id).toList()).stream()
            .collect(Collectors.groupingBy(AttemptRow::messageId));
    List<DeliveryView> items =
        messages.stream()
            .map(message -> delivery(message, attempts.getOrDefault(message.id(), List.of())))
            .toList();
    return page.response(items, webhooks.countMessages(endpoint.id()));
  }

  /** Sends a message again, from the start of the retry schedule, with the same webhook-id. */
  @Transactional
  public DeliveryView resend(Tenant tenant, UUID id, String deliveryId) {
    EndpointRow endpoint = enabledEndpoint(tenant, id);
    webhooks
        .findMessage(endpoint.id(), deliveryId)
        .orElseThrow(
            () ->
                ApiProblem.notFound(
                    "Webhook " + id + " has no delivery with id " + deliveryId + "."));
    MessageRow message =
        webhooks
            .resend(endpoint.id(), deliveryId, schedule.firstWait())
            .orElseThrow(
                () ->
                    ApiProblem.conflict(
                        "Delivery "
                            + deliveryId
                            + " is being sent right now; resend it once this attempt ended."));
    return delivery(message, webhooks.attemptsOf(List.of(deliveryId)));
  }

  // ---- messages ----

  /**
   * Writes one message of {@code type} for each enabled endpoint of the tenant subscribed to it, in
   * the caller's transaction; {@code data} is built only if there is one.
   */
  @Transactional
  public int fanOut(UUID tenantId, WebhookEventType type, Instant at, Supplier<Object> data) {
    List<UUID> endpoints = webhooks.subscribers(tenantId, type.wireName());
    if (endpoints.isEmpty()) {
      return 0;
    }
    Object payloadData = data.get();
    if (payloadData == null) {
      return 0;
    }
    for (UUID endpoint : endpoints) {
      insert(endpoint, tenantId, type.wireName(), at, payloadData);
    }
    return endpoints.size();
  }

  /** Whether any enabled endpoint of the tenant subscribed to {@code type}. */
  boolean hasSubscribers(UUID tenantId, WebhookEventType type) {
    return !webhooks.subscribers(tenantId, type.wireName()).isEmpty();
  }

  /** Runs inside the deleting transaction: the messages exist exactly when the deletion does. */
  @EventListener
  public void conceptDeleted(ConceptDeleted deleted) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("id", deleted.id());
    data.put("token", deleted.token());
    data.put("name", deleted.name());
    fanOut(deleted.tenantId(), WebhookEventType.CONCEPT_DELETED, Instant.now(), () -> data);
  }

  private MessageRow insert(UUID endpointId, UUID tenantId, String type, Instant at, Object data) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("type", type);
    payload.put("timestamp", at.toString());
    payload.put("data", data);
    String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
    return webhooks.insertMessage(
        id, endpointId, tenantId, type, json.writeValueAsString(payload), schedule.firstWait());
  }

  private EndpointRow endpoint(Tenant tenant, UUID id) {
    return webhooks.findEndpoint(tenant.id(), id).orElseThrow(() -> notFound(id));
  }

  private EndpointRow enabledEndpoint(Tenant tenant, UUID id) {
    EndpointRow endpoint = endpoint(tenant, id);
    if (endpoint.disabledAt() != null) {
      throw ApiProblem.conflict(
          "Webhook " + id + " is disabled (" + endpoint.disabledReason() + "); register it again.");
    }
    return endpoint;
  }

  private static WebhookView view(EndpointRow row, String secret) {
    return new WebhookView(
        row.id(),
        row.url(),
        row.description(),
        row.events(),
        secret,
        row.previousSecretExpiresAt(),
        row.disabledAt() != null,
        row.disabledReason(),
        row.createdAt(),
        row.updatedAt());
  }

  private static DeliveryView delivery(MessageRow message, List<AttemptRow> attempts) {
    return new DeliveryView(
        message.id(),
        message.eventType(),
        message.state(),
        message.failures(),
        message.state().equals("pending") ? message.nextAttemptAt() : null,
        message.createdAt(),
        attempts.stream()
            .map(a -> new AttemptView(a.statusCode(), a.durationMs(), a.error(), a.at()))
            .toList());
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("There is no webhook with id " + id + ".");
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list.stream().filter(e -> e != null).toList();
  }
}
