package dev.dti.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** The reference tensors in ../shared/golden, produced by the Hugging Face code. */
public final class Golden {

  private Golden() {}

  public static Path dir(String folder) {
    Path root = Path.of(System.getProperty("dti.golden.dir", "../shared/golden"));
    Path dir = root.resolve(folder);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException(
          "Golden folder " + dir.toAbsolutePath() + " is missing: tests need ../shared/golden");
    }
    return dir;
  }
}
