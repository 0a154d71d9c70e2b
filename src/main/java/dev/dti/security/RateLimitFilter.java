package dev.dti.security;

import dev.dti.security.RateLimiter.Take;
import dev.dti.security.TenantLimits.Policy;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rate limits and the unfinished-jobs cap of tenant requests, applied right after
 * authentication and before the request is read (an upload over the limit is never parsed). It
 * classifies the request ({@link EndpointClass}), takes a token of the tenant's bucket of that
 * class and answers with the IETF RateLimit headers either way:
 *
 * <pre>
 * RateLimit-Policy: "training";q=10;w=3600
 * RateLimit: "training";r=3;t=1080
 * </pre>
 *
 * {@code r} is what remains; {@code t} the seconds until the bucket is full again, and on a 429 the
 * seconds until the next request fits (the {@code Retry-After}). The admin API, the actuator and
 * unclassified requests (DELETE, cancel) are not limited.
 */
@Component
@Order(ApiKeyAuthenticationFilter.ORDER + 1)
class RateLimitFilter extends OncePerRequestFilter {

  static final String POLICY_HEADER = "RateLimit-Policy";
  static final String LIMIT_HEADER = "RateLimit";

  private static final UrlPathHelper PATHS = new UrlPathHelper();

  private final TenantLimitsService limits;
  private final RateLimiter limiter;
  private final TrainingBacklog backlog;
  private final JsonMapper json;

  RateLimitFilter(
      TenantLimitsService limits, RateLimiter limiter, TrainingBacklog backlog, JsonMapper json) {
    this.limits = limits;
    this.limiter = limiter;
    this.backlog = backlog;
    this.json = json;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = PATHS.getPathWithinApplication(request);
    return !path.startsWith("/v1/") || path.startsWith("/v1/admin/") || path.equals("/v1/admin");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Object tenant = request.getAttribute(ApiKeyAuthenticationFilter.TENANT_ATTRIBUTE);
    String path = PATHS.getPathWithinApplication(request);
    Optional<EndpointClass> endpointClass = EndpointClass.of(request.getMethod(), path);
    if (!(tenant instanceof Tenant t) || endpointClass.isEmpty()) {
      chain.doFilter(request, response);
      return;
    }
    TenantLimits tenantLimits = limits.effective(t.id());
    if (EndpointClass.queuesTrainingJob(request.getMethod(), path)) {
      int cap = tenantLimits.maxUnfinishedTrainingJobs();
      if (backlog.unfinishedTrainingJobs(t.id()) >= cap) {
        ProblemResponses.write(
            json,
            response,
            HttpStatus.TOO_MANY_REQUESTS,
            "This tenant already has "
                + cap
                + " unfinished training job"
                + (cap == 1 ? "" : "s")
                + " (queued or running), the most allowed at once; wait until one finishes or"
                + " cancel one.",
            path);
        return;
      }
    }
    Take take = limiter.take(tenantLimits, endpointClass.get());
    String name = endpointClass.get().policyName();
    Policy policy = take.policy();
    response.setHeader(
        POLICY_HEADER, "\"%s\";q=%d;w=%d".formatted(name, policy.quota(), policy.windowSeconds()));
    if (take.allowed()) {
      response.setHeader(
          LIMIT_HEADER,
          "\"%s\";r=%d;t=%d".formatted(name, take.remaining(), take.secondsToReset()));
      chain.doFilter(request, response);
      return;
    }
    response.setHeader(LIMIT_HEADER, "\"%s\";r=0;t=%d".formatted(name, take.retryAfterSeconds()));
    response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(take.retryAfterSeconds()));
    ProblemResponses.write(
        json,
        response,
        HttpStatus.TOO_MANY_REQUESTS,
        "This tenant may make at most %s %s; try again in %d s."
            .formatted(
                endpointClass.get().requests(policy.quota()),
                per(policy.windowSeconds()),
                take.retryAfterSeconds()),
        path);
  }

  /** "per hour", "per 2 hours", "per minute", "per 90 seconds". */
  static String per(long seconds) {
    if (seconds % 86_400 == 0) {
      return per(seconds / 86_400, "day");
    }
    if (seconds % 3_600 == 0) {
      return per(seconds / 3_600, "hour");
    }
    if (seconds % 60 == 0) {
      return per(seconds / 60, "minute");
    }
    return per(seconds, "second");
  }

  private static String per(long count, String unit) {
    return count == 1 ? "per " + unit : "per " + count + " " + unit + "s";
  }
}
