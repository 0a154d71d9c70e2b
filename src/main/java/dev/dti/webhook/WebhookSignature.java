package dev.dti.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets and signatures of the Standard Webhooks specification, version 1: a secret is {@code
 * whsec_} + base64 of random bytes; a signature is {@code v1,} + base64 of HMAC-SHA256, keyed with
 * those bytes, over {@code webhook-id.webhook-timestamp.body}.
 */
public final class WebhookSignature {

  public static final String SECRET_PREFIX = "whsec_";
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSignature() {}

  public static String newSecret() {
    byte[] key = new byte[SECRET_BYTES];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** One {@code v1,} signature of the message with {@code secret}. */
  public static String sign(String secret, String messageId, long timestampSeconds, String body) {
    byte[] key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] signed =
          mac.doFinal(
              (messageId + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The {@code webhook-signature} header: one signature per secret, space-separated. */
  public static String header(
      List<String> secrets, String messageId, long timestampSeconds, String body) {
    return secrets.stream()
        .map(secret -> sign(secret, messageId, timestampSeconds, body))
        .collect(Collectors.joining(" "));
  }
}
