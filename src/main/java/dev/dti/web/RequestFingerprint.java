package dev.dti.web;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartRequest;
import org.springframework.web.util.UrlPathHelper;
import org.springframework.web.util.WebUtils;

/**
 * SHA-256 of what makes two requests "the same" for {@code Idempotency-Key}: method, path, every
 * form or query parameter, and every uploaded file (part name, file name and bytes). Parts are
 * hashed by name in sorted order, so the multipart boundary and the order of distinct fields do not
 * matter; repeated values keep their order because it is meaningful (image i has caption i).
 */
public final class RequestFingerprint {

  private static final UrlPathHelper PATHS = new UrlPathHelper();

  private RequestFingerprint() {}

  public static String of(HttpServletRequest request) {
    return HexFormat.of().formatHex(digest(request).digest());
  }

  /**
   * For a JSON request: method, path and query parameters as above, plus the body in a canonical
   * form (the parsed request written back as JSON), so that whitespace and field order do not make
   * two requests differ.
   */
  public static String of(HttpServletRequest request, String canonicalBody) {
    MessageDigest digest = digest(request);
    add(digest, "body:" + canonicalBody);
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest digest(HttpServletRequest request) {
    MessageDigest digest = sha256();
    add(digest, request.getMethod());
    add(digest, PATHS.getPathWithinApplication(request));
    Map<String, String[]> parameters = new TreeMap<>(request.getParameterMap());
    parameters.forEach(
        (name, values) -> {
          add(digest, "param:" + name);
          add(digest, values.length);
          for (String value : values) {
            add(digest, value);
          }
        });
    MultipartRequest multipart = WebUtils.getNativeRequest(request, MultipartRequest.class);
    if (multipart != null) {
      Map<String, List<MultipartFile>> files = new TreeMap<>(multipart.getMultiFileMap());
      files.forEach(
          (name, parts) -> {
            add(digest, "file:" + name);
            add(digest, parts.size());
            for (MultipartFile part : parts) {
              add(digest, String.valueOf(part.getOriginalFilename()));
              add(digest, part.getSize());
              addBytes(digest, part);
            }
          });
    }
    return digest;
  }

  private static void add(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    add(digest, bytes.length);
    digest.update(bytes);
  }

  private static void add(MessageDigest digest, long number) {
    digest.update(ByteBuffer.allocate(Long.BYTES).putLong(number).array());
  }

  private static void addBytes(MessageDigest digest, MultipartFile part) {
    try (InputStream in = part.getInputStream()) {
      byte[] buffer = new byte[64 * 1024];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
