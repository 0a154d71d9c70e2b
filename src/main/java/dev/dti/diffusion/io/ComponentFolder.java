package dev.dti.diffusion.io;

import dev.dti.diffusion.nn.CheckpointParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Files of one diffusers component folder (vae/, unet/, text_encoder/ …). */
public final class ComponentFolder {

  private ComponentFolder() {}

  /**
   * The weight file {@code stem.safetensors}, or the half-precision variant {@code
   * stem.fp16.safetensors} that diffusers writes with {@code variant="fp16"}.
   */
  public static Path weightFile(Path dir, String stem) throws IOException {
    List<Path> candidates =
        List.of(dir.resolve(stem + ".safetensors"), dir.resolve(stem + ".fp16.safetensors"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IOException(
        "Missing weight file "
            + candidates.get(0)
            + " (or "
            + candidates.get(1).getFileName()
            + ")");
  }

  /** Fails when a checkpoint holds tensors the model did not ask for: its config does not match. */
  public static void requireAllUsed(CheckpointParameters parameters, Path file) {
    Set<String> unused = parameters.unused();
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(
          file
              + " has "
              + unused.size()
              + " tensors the config does not use, e.g. "
              + unused.stream().limit(5).toList());
    }
  }
}
