package dev.dti.diffusion.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A model's identity: sha256 over its weight files (each file's path relative to the model folder,
 * then its bytes, in the given order), so two copies of the same weights share an id and a changed
 * file gives a new one. Hashing gigabytes takes seconds, so results are cached per folder and
 * reused while every file keeps its size and modification time.
 */
public final class ModelId {

  private record FileStamp(Path file, long size, long modifiedMillis) {}

  private record Cached(List<FileStamp> stamps, String id) {}

  private static final Map<Path, Cached> CACHE = new ConcurrentHashMap<>();

  private ModelId() {}

  /** The hex sha256 of {@code weightFiles}, all inside {@code modelDir}. */
  public static String of(Path modelDir, List<Path> weightFiles) throws IOException {
    Path dir = modelDir.toAbsolutePath().normalize();
    List<FileStamp> stamps = new ArrayList<>();
    for (Path file : weightFiles) {
      Path absolute = file.toAbsolutePath().normalize();
      stamps.add(
          new FileStamp(
              absolute, Files.size(absolute), Files.getLastModifiedTime(absolute).toMillis()));
    }
    Cached cached = CACHE.get(dir);
    if (cached != null && cached.stamps().equals(stamps)) {
      return cached.id();
    }
    String id = hash(dir, stamps);
    CACHE.put(dir, new Cached(List.copyOf(stamps), id));
    return id;
  }

  private static String hash(Path dir, List<FileStamp> stamps) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 20];
    for (FileStamp stamp : stamps) {
      String relative = dir.relativize(stamp.file()).toString().replace('\\', '/');
      sha256.update((relative + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      try (InputStream in = new DigestInputStream(Files.newInputStream(stamp.file()), sha256)) {
        while (in.read(buffer) >= 0) {
          // DigestInputStream feeds every byte read into sha256.
        }
      }
    }
    return HexFormat.of().formatHex(sha256.digest());
  }
}
