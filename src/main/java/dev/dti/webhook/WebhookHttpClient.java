package dev.dti.webhook;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * POSTs one webhook. The connection goes only to addresses the {@link AddressGuard} checked: the
 * client's DNS resolver is the guard, so the address connected to is the address checked, at every
 * attempt. Redirects are not followed, nothing is retried here, and an attempt is cut off after
 * {@code timeout}.
 */
class WebhookHttpClient implements AutoCloseable {

  /**
   * What one attempt gave: the status (null when no answer came), how long it took, a sentence when
   * it failed, and the endpoint's {@code Retry-After}.
   */
  record Outcome(Integer statusCode, long durationMs, String error, Duration retryAfter) {

    boolean succeeded() {
      return statusCode != null && statusCode >= 200 && statusCode < 300;
    }

    boolean gone() {
      return statusCode != null && statusCode == 410;
    }
  }

  private final CloseableHttpClient http;
  private final Duration timeout;
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("webhook-deadline").daemon().factory());

  WebhookHttpClient(AddressGuard guard, Duration timeout, int senders) {
    this.timeout = timeout;
    DnsResolver checkedOnly =
        new DnsResolver() {
          @Override
          public InetAddress[] resolve(String host) throws UnknownHostException {
            return guard.resolve(host);
          }

          @Override
          public String resolveCanonicalHostname(String host) {
            return host;
          }
        };
    Timeout limit = Timeout.of(timeout);
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDnsResolver(checkedOnly)
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(limit)
                            .setSocketTimeout(limit)
                            .build())
                    .setMaxConnTotal(senders * 2)
                    .setMaxConnPerRoute(senders)
                    .build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setResponseTimeout(limit)
                    .setConnectionRequestTimeout(limit)
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .setUserAgent("dti-service-webhooks/1")
            .build();
  }

  Outcome post(URI url, Map<String, String> headers, String body) {
    HttpPost post = new HttpPost(url);
    headers.forEach(post::setHeader);
    post.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
    long started = System.nanoTime();
    ScheduledFuture<?> deadline =
        deadlines.schedule(post::cancel, timeout.toMillis(), TimeUnit.MILLISECONDS);
    try {
      return http.execute(
          post,
          response -> {
            EntityUtils.consume(response.getEntity());
            int status = response.getCode();
            Header retryAfter = response.getFirstHeader("Retry-After");
            Header location = response.getFirstHeader("Location");
            return new Outcome(
                status,
                elapsedMs(started),
                error(status, location == null ? null : location.getValue()),
                RetrySchedule.parseRetryAfter(
                    retryAfter == null ? null : retryAfter.getValue(), Instant.now()));
          });
    } catch (IOException e) {
      return new Outcome(null, elapsedMs(started), error(url, e, post.isCancelled()), null);
    } finally {
      deadline.cancel(false);
    }
  }

  private static String error(int status, String location) {
    if (status >= 200 && status < 300) {
      return null;
    }
    if (status == 410) {
      return "The endpoint answered 410 Gone, so it was disabled and its pending messages canceled.";
    }
    if (status >= 300 && status < 400) {
      return "The endpoint answered "
          + status
          + (location == null ? "" : " (to " + location + ")")
          + "; redirects are not followed, so this counts as a failure.";
    }
    return "The endpoint answered " + status + "; only a 2xx answer counts as delivered.";
  }

  private String error(URI url, IOException e, boolean cutOff) {
    if (e instanceof RefusedAddressException) {
      return "Not sent: " + e.getMessage();
    }
    if (e instanceof UnknownHostException) {
      return "Not sent: the host " + url.getHost() + " does not resolve.";
    }
    if (cutOff || e instanceof InterruptedIOException) {
      return "The endpoint gave no complete answer within " + timeout.toSeconds() + " s.";
    }
    if (e instanceof ConnectException) {
      return "Could not connect to " + url.getHost() + ": " + e.getMessage() + ".";
    }
    if (e instanceof SSLException) {
      return "The TLS handshake with " + url.getHost() + " failed: " + e.getMessage() + ".";
    }
    return "Sending failed: "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
        + ".";
  }

  private static long elapsedMs(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  @Override
  public void close() throws IOException {
    deadlines.shutdownNow();
    http.close();
  }
}
