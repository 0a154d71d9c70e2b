package dev.dti.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A client error that becomes an RFC 9457 problem response: the status, a human {@code detail} and,
 * for invalid input, the offending fields.
 */
public class ApiProblem extends RuntimeException {

  private final HttpStatus status;
  private final List<FieldProblem> errors;

  public ApiProblem(HttpStatus status, String detail, List<FieldProblem> errors) {
    super(detail);
    this.status = status;
    this.errors = List.copyOf(errors);
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
}
