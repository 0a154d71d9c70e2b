package dev.dti.security;

import java.util.Optional;

/** The classes of endpoints that have a rate limit each; everything else under /v1 has none. */
public enum EndpointClass {
  TRAINING("training", "new concepts and imports"),
  GENERATION("generation", "generations and interpolations"),
  READ("read", "GET requests");

  private final String policyName;
  private final String counted;

  EndpointClass(String policyName, String counted) {
    this.policyName = policyName;
    this.counted = counted;
  }

  /** The name in the {@code RateLimit-Policy} and {@code RateLimit} headers. */
  public String policyName() {
    return policyName;
  }

  /** "1 training request (new concepts and imports)", for the sentence of a 429. */
  String requests(int count) {
    return count + " " + policyName + " request" + (count == 1 ? "" : "s") + " (" + counted + ")";
  }

  /**
   * The class of a request to a tenant endpoint: the two creating POSTs of each, and every GET. The
   * admin API is not a tenant endpoint and is never passed here.
   */
  static Optional<EndpointClass> of(String method, String path) {
    String route = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (method.equals("GET")) {
      return Optional.of(READ);
    }
    if (!method.equals("POST")) {
      return Optional.empty();
    }
    return switch (route) {
      case "/v1/concepts", "/v1/concepts/import" -> Optional.of(TRAINING);
      case "/v1/generations", "/v1/interpolations" -> Optional.of(GENERATION);
      default -> Optional.empty();
    };
  }

  /** Only this request queues a training job, so only it is refused at the unfinished-jobs cap. */
  static boolean queuesTrainingJob(String method, String path) {
    String route = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return method.equals("POST") && route.equals("/v1/concepts");
  }
}
