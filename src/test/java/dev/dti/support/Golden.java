package dev.dti.support;

import dev.dti.diffusion.io.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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

  /**
   * A float64 scalar of a golden file at full precision ({@link SafetensorsFile#load} narrows F64
   * to float32).
   */
  public static double float64(SafetensorsFile file, String name) throws IOException {
    SafetensorsFile.TensorInfo info = file.info(name);
    if (!info.dtype().equals("F64") || info.end() - info.begin() != Double.BYTES) {
      throw new IllegalArgumentException(name + " is not an F64 scalar: " + info);
    }
    ByteBuffer bytes = ByteBuffer.allocate(Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel channel = FileChannel.open(file.path())) {
      channel.read(bytes, info.begin());
    }
    return bytes.flip().getDouble();
  }
}
