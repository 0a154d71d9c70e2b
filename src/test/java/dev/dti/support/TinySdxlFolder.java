package dev.dti.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A copy of the golden tiny SDXL pipeline folder (text_encoder 16 wide, text_encoder_2 24 wide,
 * 32×32 images) as {@code save_pretrained} wrote it, without the reference files beside it.
 */
public final class TinySdxlFolder {

  private static Path dir;

  private TinySdxlFolder() {}

  /** The folder, copied to a temporary directory once per JVM. */
  public static synchronized Path get() {
    if (dir == null) {
      try {
        Path golden = Golden.dir("sdxl_pipeline_tiny");
        Path copy = Files.createTempDirectory("dti-tiny-sdxl");
        try (Stream<Path> files = Files.walk(golden)) {
          for (Path source : files.filter(Files::isRegularFile).toList()) {
            String name = source.getFileName().toString();
            if (name.equals("reference.safetensors")
                || name.equals("cat-toy.safetensors")
                || name.endsWith(".md")
                || name.endsWith(".py")) {
              continue;
            }
            Path target = copy.resolve(golden.relativize(source).toString());
            Files.createDirectories(target.getParent());
            Files.copy(source, target);
          }
        }
        dir = copy;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }
}
