package dev.dti.web;

import dev.dti.basemodel.ModelUnavailableException;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} answer with a human {@code
 * detail}. Spring MVC's own exceptions keep their status (via {@link
 * ResponseEntityExceptionHandler}); a few get a clearer detail. Anything unexpected is a 500 and is
 * logged: it is a bug.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  private final List<UploadLimitAdvice> uploadAdvice;

  ProblemHandler(List<UploadLimitAdvice> uploadAdvice) {
    this.uploadAdvice = uploadAdvice;
  }

  @ExceptionHandler(ApiProblem.class)
  ResponseEntity<ProblemDetail> apiProblem(ApiProblem problem) {
    var response = ResponseEntity.status(problem.status());
    if (problem.retryAfter() != null) {
      long seconds = Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000);
      response.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }
    return response.body(Problems.of(problem.status(), problem.getMessage(), problem.errors()));
  }

  /** The base model cannot be used: a configuration error that retrying will not fix. */
  @ExceptionHandler(ModelUnavailableException.class)
  ResponseEntity<ProblemDetail> modelUnavailable(ModelUnavailableException e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), List.of()));
  }

  @ExceptionHandler(MultipartException.class)
  ResponseEntity<ProblemDetail> malformedMultipart(MultipartException e) {
    Throwable cause = e.getMostSpecificCause();
    String reason =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return ResponseEntity.badRequest()
        .body(
            Problems.of(
                HttpStatus.BAD_REQUEST,
                "The request body is not valid multipart/form-data: " + reason,
                List.of()));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, NativeWebRequest request) {
    log.error("Unexpected error answering {}", request.getDescription(false), e);
    return ResponseEntity.internalServerError()
        .body(
            Problems.of(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "The service failed to answer this request; the error was logged.",
                List.of()));
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<FieldProblem> errors =
        ex.getBindingResult().getFieldErrors().stream().map(ProblemHandler::describe).toList();
    ProblemDetail body = Problems.of(HttpStatus.BAD_REQUEST, detailOf(errors), errors);
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String name =
        ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
    var error =
        new FieldProblem(name, expectation(ex.getRequiredType()) + ", got '" + ex.getValue() + "'");
    ProblemDetail body =
        Problems.of(HttpStatus.BAD_REQUEST, detailOf(List.of(error)), List.of(error));
    return handleExceptionInternal(ex, body, headers, HttpStatus.BAD_REQUEST, request);
  }

  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail body =
        Problems.of(
            HttpStatus.NOT_FOUND,
            "There is no endpoint " + ex.getHttpMethod() + " /" + ex.getResourcePath() + ".",
            List.of());
    return handleExceptionInternal(ex, body, headers, HttpStatus.NOT_FOUND, request);
  }

  @Override
  protected ResponseEntity<Object> handleMaxUploadSizeExceededException(
      MaxUploadSizeExceededException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String limit = ex.getMaxUploadSize() > 0 ? " of " + ex.getMaxUploadSize() + " bytes" : "";
    String path =
        request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI() : "";
    String detail =
        uploadAdvice.stream()
            .flatMap(advice -> advice.detail(path, ex.getMaxUploadSize()).stream())
            .findFirst()
            .orElse(
                "The upload is larger than the limit"
                    + limit
                    + ". See dti.upload in the configuration.");
    ProblemDetail body = Problems.of(HttpStatus.CONTENT_TOO_LARGE, detail, List.of());
    return handleExceptionInternal(ex, body, headers, HttpStatus.CONTENT_TOO_LARGE, request);
  }

  private static FieldProblem describe(FieldError error) {
    if (error.isBindingFailure() && error.contains(TypeMismatchException.class)) {
      Class<?> type = error.unwrap(TypeMismatchException.class).getRequiredType();
      return new FieldProblem(
          error.getField(), expectation(type) + ", got '" + error.getRejectedValue() + "'");
    }
    return new FieldProblem(error.getField(), error.getDefaultMessage());
  }

  private static String expectation(Class<?> type) {
    if (type == null) {
      return "has an invalid value";
    }
    return switch (type.getSimpleName().toLowerCase(Locale.ROOT)) {
      case "int", "integer", "long", "short" -> "must be a whole number";
      case "double", "float" -> "must be a number";
      case "boolean" -> "must be true or false";
      case "uuid" -> "must be an id (UUID)";
      default -> "must be a " + type.getSimpleName();
    };
  }

  private static String detailOf(List<FieldProblem> errors) {
    return ApiProblem.invalidFields(errors).getMessage();
  }
}
