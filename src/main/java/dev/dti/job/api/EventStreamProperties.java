package dev.dti.job.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The live progress streams ({@code GET /v1/jobs/{id}/events}); the one place that lists each
 * default (docs/api.md has the table with environment variables).
 *
 * @param heartbeat how often an open stream gets a comment line, so that proxies and load balancers
 *     keep an idle stream open and a vanished client is noticed (its next write fails)
 * @param pollInterval how often every open stream reads the outbox even without a notification: the
 *     safety net under LISTEN/NOTIFY, and the longest wait between two reconnect attempts of a
 *     broken LISTEN connection
 * @param retry the reconnect delay suggested to clients in the stream's {@code retry:} field
 * @param maxDuration how long one stream stays open at most; then it ends and the client resumes
 *     with {@code Last-Event-ID} (spreads long-lived connections over the API pods)
 * @param maxStreams open streams this process serves at most; one more is a 503
 * @param maxStreamsPerTenant open streams one tenant may hold in this process; one more is a 429
 */
@ConfigurationProperties("dti.events")
public record EventStreamProperties(
    @DefaultValue("15s") Duration heartbeat,
    @DefaultValue("10s") Duration pollInterval,
    @DefaultValue("3s") Duration retry,
    @DefaultValue("30m") Duration maxDuration,
    @DefaultValue("1000") int maxStreams,
    @DefaultValue("50") int maxStreamsPerTenant) {

  public EventStreamProperties {
    requirePositive(heartbeat, "heartbeat");
    requirePositive(pollInterval, "poll-interval");
    requirePositive(retry, "retry");
    requirePositive(maxDuration, "max-duration");
    if (maxStreams < 1 || maxStreamsPerTenant < 1) {
      throw new IllegalArgumentException(
          "dti.events.max-streams and dti.events.max-streams-per-tenant must be at least 1");
    }
  }

  private static void requirePositive(Duration value, String name) {
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException("dti.events." + name + " must be positive");
    }
  }
}
