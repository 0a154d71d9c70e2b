package dev.dti.webhook;

import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * What an endpoint URL must be at registration: absolute {@code https} (or {@code http} when {@code
 * dti.webhooks.allow-http} is on), without credentials, on a host whose every address the {@link
 * AddressGuard} allows. Delivery checks the addresses again.
 */
class EndpointUrlPolicy {

  static final int MAX_LENGTH = 2000;

  private final AddressGuard guard;
  private final boolean allowHttp;

  EndpointUrlPolicy(AddressGuard guard, boolean allowHttp) {
    this.guard = guard;
    this.allowHttp = allowHttp;
  }

  /** The URL as it will be called; an {@link ApiProblem} on field {@code url} otherwise. */
  URI check(String url) {
    if (url == null || url.isBlank()) {
      throw invalid("is required: the https URL webhooks are sent to");
    }
    if (url.length() > MAX_LENGTH) {
      throw invalid("is longer than " + MAX_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw invalid("is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
      throw invalid(
          allowHttp
              ? "must be an http or https URL"
              : "must be an https URL (plain http is allowed only when dti.webhooks.allow-http is"
                  + " true)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw invalid("has no host");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid("must not contain a user name or password");
    }
    if (uri.getRawFragment() != null) {
      throw invalid("must not contain a fragment (#…)");
    }
    try {
      guard.resolve(uri.getHost());
    } catch (RefusedAddressException e) {
      throw invalid("is refused: " + e.getMessage());
    } catch (UnknownHostException e) {
      throw invalid("has a host that does not resolve: " + uri.getHost());
    }
    return uri;
  }

  private static ApiProblem invalid(String message) {
    return ApiProblem.invalidFields(List.of(new FieldProblem("url", message)));
  }
}
