package dev.dti.web;

import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A client error that becomes an RFC 9457 problem response: the status, a human {@code detail} and,
 * for invalid input, the offending fields.
 */
public class ApiProblem extends RuntimeException {

  private final HttpStatus status;
  private final List<FieldProblem> errors;
  private final Duration retryAfter;

  public ApiProblem(HttpStatus status, String detail, List<FieldProblem> errors) {
    this(status, detail, errors, null);
  }

  private ApiProblem(
      HttpStatus status, String detail, List<FieldProblem> errors, Duration retryAfter) {
    super(detail);
    this.status = status;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  /** 429 with a {@code Retry-After} header of {@code retryAfter}, rounded up to whole seconds. */
  public static ApiProblem tooManyRequests(String detail, Duration retryAfter) {
    return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, detail, List.of(), retryAfter);
  }

  /** A service that cannot answer now (e.g. no model configured): 503. */
  public static ApiProblem unavailable(String detail) {
    return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, detail, List.of());
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(HttpStatus.BAD_REQUEST, detail, List.of());
  }

  public static ApiProblem invalidFields(List<FieldProblem> errors) {
    String detail =
        errors.size() == 1
            ? errors.getFirst().field() + ": " + errors.getFirst().message()
            : errors.size() + " fields are invalid; see errors";
    return new ApiProblem(HttpStatus.BAD_REQUEST, detail, errors);
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(HttpStatus.NOT_FOUND, detail, List.of());
  }

  public static ApiProblem conflict(String detail) {
    return new ApiProblem(HttpStatus.CONFLICT, detail, List.of());
  }

  public static ApiProblem conflict(String detail, FieldProblem error) {
    return new ApiProblem(HttpStatus.CONFLICT, detail, List.of(error));
  }

  public HttpStatus status() {
    return status;
  }

  public List<FieldProblem> errors() {
    return errors;
  }

  /** For a 429: how long the client should wait; otherwise null. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
