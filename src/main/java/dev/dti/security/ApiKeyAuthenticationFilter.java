package dev.dti.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates every request under {@code /v1/} by its {@code Authorization: Bearer} key before
 * anything else reads the request (so an unauthenticated upload is never parsed). Tenant keys open
 * {@code /v1/**}; the admin key from configuration opens {@code /v1/admin/**}. Everything outside
 * {@code /v1/} (health, metrics, OpenAPI) is public.
 */
@Component
@Order(ApiKeyAuthenticationFilter.ORDER)
public class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

  /** Late among the servlet filters, and before {@link RateLimitFilter}, which needs the tenant. */
  static final int ORDER = Ordered.LOWEST_PRECEDENCE - 100;

  /** Request attribute holding the authenticated {@link Tenant}. */
  public static final String TENANT_ATTRIBUTE =
      ApiKeyAuthenticationFilter.class.getName() + ".tenant";

  private static final String API_PREFIX = "/v1/";
  private static final String ADMIN_ROOT = "/v1/admin";
  private static final UrlPathHelper PATHS = new UrlPathHelper();

  private final TenantService tenants;
  private final SecurityProperties properties;
  private final JsonMapper json;

  public ApiKeyAuthenticationFilter(
      TenantService tenants, SecurityProperties properties, JsonMapper json) {
    this.tenants = tenants;
    this.properties = properties;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !PATHS.getPathWithinApplication(request).startsWith(API_PREFIX);
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<String> presented = bearerToken(request);
    String path = PATHS.getPathWithinApplication(request);
    if (path.equals(ADMIN_ROOT) || path.startsWith(ADMIN_ROOT + "/")) {
      if (!properties.adminEnabled()) {
        reject(
            response,
            HttpStatus.FORBIDDEN,
            "The admin API is disabled: no admin key is configured (set DTI_ADMIN_KEY).");
      } else if (presented.isEmpty()) {
        unauthorized(response, "The admin API needs 'Authorization: Bearer <admin key>'.");
      } else if (!ApiKeys.matches(presented.get(), properties.adminKey())) {
        unauthorized(response, "The bearer key is not the admin key.");
      } else {
        chain.doFilter(request, response);
      }
      return;
    }
    if (presented.isEmpty()) {
      unauthorized(response, "This endpoint needs an API key: send 'Authorization: Bearer <key>'.");
      return;
    }
    Optional<Tenant> tenant = tenants.authenticate(presented.get());
    if (tenant.isEmpty()) {
      unauthorized(response, "The API key is unknown or has been revoked.");
      return;
    }
    request.setAttribute(TENANT_ATTRIBUTE, tenant.get());
    chain.doFilter(request, response);
  }

  private static Optional<String> bearerToken(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
      return Optional.empty();
    }
    String token = header.substring("bearer ".length()).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private void unauthorized(HttpServletResponse response, String detail) throws IOException {
    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"dti-service\"");
    reject(response, HttpStatus.UNAUTHORIZED, detail);
  }

  private void reject(HttpServletResponse response, HttpStatus status, String detail)
      throws IOException {
    ProblemResponses.write(json, response, status, detail, null);
  }
}
