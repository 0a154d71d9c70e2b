package dev.dti.basemodel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The toy-world model that ships inside the service jar (the build copies {@code models/toy-sd}
 * there), so the service has a model wherever it is started from. It is unpacked once into {@code
 * <data-dir>/models/toy-sd}; a digest file beside the folder tells whether the unpacked copy is the
 * one this jar carries, so a new jar with a retrained model replaces it.
 */
final class BundledModel {

  static final String NAME = "toy-sd";
  private static final String LOCATION = "dti/default-model/" + NAME + "/";

  private BundledModel() {}

  /** The unpacked folder, written now if it is missing or from another jar. */
  static Path unpack(Path dataDir) {
    try {
      Map<String, byte[]> files = read();
      if (files.isEmpty()) {
        throw new IOException("this build carries no default model (classpath " + LOCATION + ")");
      }
      String digest = digest(files);
      Path models = dataDir.toAbsolutePath().normalize().resolve("models");
      Path target = models.resolve(NAME);
      Path marker = models.resolve(NAME + ".sha256");
      if (Files.isDirectory(target)
          && Files.isRegularFile(marker)
          && Files.readString(marker).strip().equals(digest)) {
        return target;
      }
      Files.createDirectories(models);
      Path staging = Files.createTempDirectory(models, NAME + ".unpacking-");
      for (var file : files.entrySet()) {
        Path path = staging.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.write(path, file.getValue());
      }
      deleteRecursively(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      Files.writeString(marker, digest + "\n");
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not unpack the bundled default model: " + e, e);
    }
  }

  /** Relative path → bytes of every file of the bundled folder, in path order. */
  private static Map<String, byte[]> read() throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    var resolver = new PathMatchingResourcePatternResolver(BundledModel.class.getClassLoader());
    for (Resource resource : resolver.getResources("classpath*:" + LOCATION + "**")) {
      String url = resource.getURL().toString();
      String relative = url.substring(url.lastIndexOf(LOCATION) + LOCATION.length());
      if (relative.isEmpty() || relative.endsWith("/") || !resource.isReadable()) {
        continue;
      }
      try (InputStream in = resource.getInputStream()) {
        files.putIfAbsent(relative, in.readAllBytes());
      } catch (IOException directory) {
        // some class loaders list directories as readable resources that cannot be opened
      }
    }
    return files;
  }

  private static String digest(Map<String, byte[]> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (var file : files.entrySet()) {
        sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(file.getValue());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
