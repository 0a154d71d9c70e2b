package dev.dti.diffusion.clip;

import dev.dti.diffusion.io.ConfigJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The config.json of a {@link CLIPTextModelWithProjection}: the text transformer's keys plus {@code
 * projection_dim}, the width of {@code text_projection} (transformers' default 512; SDXL's
 * text_encoder_2 has 1280).
 */
public record CLIPTextModelWithProjectionConfig(CLIPTextConfig text, int projectionDim) {

  /** transformers' {@code CLIPTextConfig.__init__} default of projection_dim. */
  public static final int DEFAULT_PROJECTION_DIM = 512;

  public CLIPTextModelWithProjectionConfig {
    if (projectionDim < 1) {
      throw new IllegalArgumentException("projection_dim must be positive, got " + projectionDim);
    }
  }

  public static CLIPTextModelWithProjectionConfig read(Path configJson) throws IOException {
    if (!Files.isRegularFile(configJson)) {
      throw new IOException("Text encoder config " + configJson + " does not exist");
    }
    ConfigJson json = ConfigJson.read(configJson);
    return new CLIPTextModelWithProjectionConfig(
        CLIPTextConfig.read(configJson), json.getInt("projection_dim", DEFAULT_PROJECTION_DIM));
  }
}
