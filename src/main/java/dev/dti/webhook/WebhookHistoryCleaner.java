package dev.dti.webhook;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes the delivery history of messages that ended longer than {@code dti.webhooks.retention}
 * ago (30 days by default), so {@code webhook_messages} and {@code webhook_attempts} do not grow
 * without bound. Pending messages are never deleted. Safe in every replica at once.
 */
@Component
class WebhookHistoryCleaner {

  private static final Logger log = LoggerFactory.getLogger(WebhookHistoryCleaner.class);

  private final WebhookRepository webhooks;
  private final WebhookProperties properties;

  WebhookHistoryCleaner(WebhookRepository webhooks, WebhookProperties properties) {
    this.webhooks = webhooks;
    this.properties = properties;
  }

  @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
  void scheduled() {
    try {
      int deleted = removeEnded(Instant.now());
      if (deleted > 0) {
        log.info("Deleted the history of {} ended webhook message(s)", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("Could not delete ended webhook messages: {}", e.toString());
    }
  }

  /** Deletes messages that ended more than the retention before {@code now}; returns how many. */
  int removeEnded(Instant now) {
    return webhooks.deleteEndedBefore(now.minus(properties.retention()));
  }
}
