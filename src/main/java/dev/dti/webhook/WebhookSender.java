package dev.dti.webhook;

import dev.dti.webhook.WebhookHttpClient.Outcome;
import dev.dti.webhook.WebhookRepository.ClaimedMessage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due messages, at least once: claims them (at most one in flight per endpoint, see {@link
 * WebhookRepository#claimDue}), sends each on one of {@code dti.webhooks.senders} threads so a slow
 * endpoint holds up only its own messages, and records the attempt. A message whose sender died is
 * claimed again when its lease ends.
 */
class WebhookSender implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  private final WebhookRepository webhooks;
  private final WebhookHttpClient http;
  private final RetrySchedule schedule;
  private final TransactionTemplate transactions;
  private final WebhookProperties properties;
  private final Semaphore free;
  private final PollLoop poller;
  private volatile ExecutorService senders;

  WebhookSender(
      WebhookRepository webhooks,
      WebhookHttpClient http,
      RetrySchedule schedule,
      TransactionTemplate transactions,
      WebhookProperties properties) {
    this.webhooks = webhooks;
    this.http = http;
    this.schedule = schedule;
    this.transactions = transactions;
    this.properties = properties;
    this.free = new Semaphore(properties.senders());
    this.poller = new PollLoop("webhook-poller", properties.pollInterval(), this::claimAndSend);
  }

  /** Looks for due messages now instead of at the next poll. */
  void wake() {
    poller.wake();
  }

  /** Claims as many due messages as there are free senders; true if it claimed any. */
  private boolean claimAndSend() {
    int slots = free.availablePermits();
    if (slots == 0) {
      return false;
    }
    List<ClaimedMessage> due =
        transactions.execute(status -> webhooks.claimDue(slots, properties.lease()));
    if (due == null || due.isEmpty()) {
      return false;
    }
    for (ClaimedMessage message : due) {
      free.acquireUninterruptibly();
      senders.execute(
          () -> {
            try {
              attempt(message);
            } finally {
              free.release();
              wake();
            }
          });
    }
    return true;
  }

  /** One attempt at one message, and what follows from its outcome. */
  void attempt(ClaimedMessage claimed) {
    var message = claimed.message();
    long timestamp = Instant.now().getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", message.id());
    headers.put("webhook-timestamp", Long.toString(timestamp));
    headers.put(
        "webhook-signature",
        WebhookSignature.header(claimed.secrets(), message.id(), timestamp, message.body()));
    Outcome outcome = http.post(URI.create(claimed.url()), headers, message.body());
    try {
      transactions.executeWithoutResult(
          status -> {
            webhooks.recordAttempt(
                message.id(), outcome.statusCode(), outcome.durationMs(), outcome.error());
            if (outcome.succeeded()) {
              webhooks.markSucceeded(message.id(), claimed.claimToken());
            } else if (outcome.gone()) {
              webhooks.markFailed(message.id(), claimed.claimToken());
              webhooks.disable(message.endpointId(), "it answered 410 Gone");
            } else {
              Optional<Duration> wait =
                  schedule.waitAfter(message.failures() + 1, outcome.retryAfter());
              if (wait.isPresent()) {
                webhooks.scheduleRetry(message.id(), claimed.claimToken(), wait.get());
              } else {
                webhooks.markFailed(message.id(), claimed.claimToken());
              }
            }
          });
    } catch (RuntimeException e) {
      // The lease runs out and another attempt follows: at least once.
      log.warn("Recording the attempt of webhook message {} failed", message.id(), e);
    }
  }

  @Override
  public synchronized void start() {
    if (poller.isRunning()) {
      return;
    }
    senders =
        Executors.newFixedThreadPool(
            properties.senders(),
            Thread.ofPlatform().name("webhook-sender-", 0).daemon().factory());
    poller.start();
  }

  /** Stops claiming; attempts in flight end (each within the timeout) before this returns. */
  @Override
  public synchronized void stop() {
    poller.stop();
    ExecutorService pool = senders;
    if (pool != null) {
      pool.shutdown();
      try {
        pool.awaitTermination(properties.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return poller.isRunning();
  }
}
