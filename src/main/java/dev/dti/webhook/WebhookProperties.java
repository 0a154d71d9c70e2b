package dev.dti.webhook;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Every setting of webhook delivery, with its default; the README lists them with their environment
 * variables.
 *
 * @param retrySchedule wait before each attempt of a message, the first counted from its creation
 *     and each next one from the previous failure; a message fails for good after the last. The
 *     default is the Standard Webhooks schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 *     14 h, 20 h, 24 h. Each wait gets a jitter of ±10 %.
 * @param timeout longest wait for an endpoint's answer, connecting included
 * @param senders messages sent at the same time by this process; a slow endpoint holds one sender
 *     for at most {@code timeout}
 * @param pollInterval how often this process looks for new job events and for due messages
 * @param rotationGrace after a secret rotation, how long the previous secret still signs
 * @param allowedNetworks CIDRs exempt from the address guard (e.g. a trusted internal receiver);
 *     none by default
 * @param allowHttp whether endpoint URLs may be plain {@code http}; {@code https} only by default
 * @param retention how long a message that ended (delivered, failed for good or canceled) and its
 *     attempts stay visible under {@code /deliveries} before they are deleted
 */
@ConfigurationProperties("dti.webhooks")
public record WebhookProperties(
    @DefaultValue("0s,5s,5m,30m,2h,5h,10h,14h,20h,24h") List<Duration> retrySchedule,
    @DefaultValue("15s") Duration timeout,
    @DefaultValue("8") int senders,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("24h") Duration rotationGrace,
    @DefaultValue("") List<String> allowedNetworks,
    @DefaultValue("false") boolean allowHttp,
    @DefaultValue("30d") Duration retention) {

  public WebhookProperties {
    if (retrySchedule.isEmpty()) {
      throw new IllegalArgumentException("dti.webhooks.retry-schedule must list at least one wait");
    }
    if (retrySchedule.stream().anyMatch(Duration::isNegative)) {
      throw new IllegalArgumentException("dti.webhooks.retry-schedule waits cannot be negative");
    }
    if (senders < 1) {
      throw new IllegalArgumentException("dti.webhooks.senders must be at least 1");
    }
    if (!timeout.isPositive() || !pollInterval.isPositive()) {
      throw new IllegalArgumentException(
          "dti.webhooks.timeout and dti.webhooks.poll-interval must be positive");
    }
    retrySchedule = List.copyOf(retrySchedule);
    allowedNetworks =
        allowedNetworks.stream().map(String::strip).filter(cidr -> !cidr.isEmpty()).toList();
  }

  /** How long a sender holds a claimed message: past this, another sender may take it over. */
  Duration lease() {
    return timeout.multipliedBy(2).plusSeconds(10);
  }
}
