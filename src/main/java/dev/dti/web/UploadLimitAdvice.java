package dev.dti.web;

import java.util.Optional;

/**
 * What an endpoint tells a client whose upload is over the multipart limits: the 413's {@code
 * detail} for the request path it knows, in place of the generic sentence.
 */
public interface UploadLimitAdvice {

  /**
   * @param path the request URI
   * @param limit the limit in bytes that was exceeded, or -1 when unknown
   */
  Optional<String> detail(String path, long limit);
}
