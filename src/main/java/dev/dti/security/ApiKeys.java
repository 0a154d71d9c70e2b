package dev.dti.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API keys are {@code dti_} followed by 32 URL-safe random characters (192 bits). Only their
 * SHA-256 digest is stored; a fast digest is enough because the keys are random, not chosen by
 * people.
 */
public final class ApiKeys {

  public static final String PREFIX = "dti_";
  private static final int RANDOM_BYTES = 24;
  private static final int SHOWN_PREFIX_LENGTH = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeys() {}

  public static String generate() {
    byte[] bytes = new byte[RANDOM_BYTES];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The first characters of a key, stored so that people can tell their keys apart. */
  public static String shownPrefix(String key) {
    return key.substring(0, Math.min(SHOWN_PREFIX_LENGTH, key.length()));
  }

  /** Compares digests in constant time so that response timing reveals nothing about a key. */
  public static boolean matches(String presentedKey, String expectedKey) {
    return MessageDigest.isEqual(
        hash(presentedKey).getBytes(StandardCharsets.US_ASCII),
        hash(expectedKey).getBytes(StandardCharsets.US_ASCII));
  }
}
