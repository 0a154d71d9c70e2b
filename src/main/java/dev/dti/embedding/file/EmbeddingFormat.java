package dev.dti.embedding.file;

import dev.dti.embedding.Embedding;
import java.util.Locale;

/**
 * The portable embedding files the service writes, all safetensors with float32 rows [n, d]. For an
 * SDXL embedding (rows for two text encoders) a1111 and kohya write {@code {"clip_g": [n, d_g],
 * "clip_l": [n, d_l]}}, which A1111, ComfyUI and kohya load, and diffusers a zip of the pair {@code
 * learned_embeds.safetensors} and {@code learned_embeds_2.safetensors}, one per text encoder.
 *
 * <ul>
 *   <li>{@link #DIFFUSERS}: {@code {"<token>": [n, d]}} with metadata {@code format=pt}, for
 *       diffusers' {@code load_textual_inversion}, which takes the single key as the token.
 *   <li>{@link #A1111}: {@code {"emb_params": [n, d]}} for the AUTOMATIC1111 web UI and its forks,
 *       which name the embedding after the file.
 *   <li>{@link #KOHYA}: the same tensor layout, as kohya-ss sd-scripts saves and loads it.
 * </ul>
 */
public enum EmbeddingFormat {
  DIFFUSERS("diffusers"),
  A1111("a1111"),
  KOHYA("kohya");

  private final String wireName;

  EmbeddingFormat(String wireName) {
    this.wireName = wireName;
  }

  /** The lower-case name used in URLs and JSON: {@code diffusers}, {@code a1111}, {@code kohya}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The name to offer for download: the token without its angle brackets, reduced to letters,
   * digits, '.', '_' and '-', then {@code .safetensors} (e.g. {@code <my-rabbit>} → {@code
   * my-rabbit.safetensors}). The same for every format: A1111 and kohya name the embedding after
   * the file, so the stem is what users type in their prompts there, and diffusers ignores the name
   * of a file it is given directly.
   */
  public String suggestedFilename(String token) {
    return suggestedFilename(token, null);
  }

  /**
   * The name to offer for the embedding at {@code snapshotStep}, a training snapshot ({@code
   * my-rabbit-step50.safetensors}), or for the final embedding when null ({@code
   * my-rabbit.safetensors}). A1111, kohya and ComfyUI name the token after the file, so a snapshot
   * saved beside the final file neither overwrites it nor shares its prompt word. The formats share
   * the name: the a1111 and kohya files are the same bytes, and diffusers reads the token from the
   * file, not its name.
   */
  public String suggestedFilename(String token, Integer snapshotStep) {
    String stem = filenameStem(token);
    return (snapshotStep == null ? stem : stem + "-step" + snapshotStep) + ".safetensors";
  }

  /**
   * The name to offer for a download of this format: as {@link #suggestedFilename(String,
   * Integer)}, except the diffusers pair of an SDXL embedding ({@code xl}), a zip: {@code
   * my-rabbit.zip}.
   */
  public String suggestedFilename(String token, Integer snapshotStep, boolean xl) {
    String name = suggestedFilename(token, snapshotStep);
    if (xl && this == DIFFUSERS) {
      return name.substring(0, name.length() - ".safetensors".length()) + ".zip";
    }
    return name;
  }

  /**
   * The name to offer for the diffusers file of one text encoder: {@code my-rabbit.safetensors} for
   * {@code text_encoder}, {@code my-rabbit_2.safetensors} for {@code text_encoder_2} (as the
   * authors' {@code learned_embeds.safetensors} and {@code learned_embeds_2.safetensors}).
   */
  public static String diffusersFilename(String token, Integer snapshotStep, String encoder) {
    String name = DIFFUSERS.suggestedFilename(token, snapshotStep);
    if (encoder.equals(Embedding.TEXT_ENCODER_2)) {
      return name.substring(0, name.length() - ".safetensors".length()) + "_2.safetensors";
    }
    return name;
  }

  static String filenameStem(String token) {
    String clean =
        (token == null ? "" : token)
            .replace("<", "")
            .replace(">", "")
            .replaceAll("[^A-Za-z0-9._-]+", "-")
            .replaceAll("-{2,}", "-")
            .replaceAll("^[-.]+|[-.]+$", "");
    if (clean.length() > 100) {
      clean = clean.substring(0, 100);
    }
    return clean.isEmpty() ? "embedding" : clean;
  }

  public static EmbeddingFormat fromWireName(String name) {
    if (name != null) {
      String wanted = name.trim().toLowerCase(Locale.ROOT);
      for (EmbeddingFormat format : values()) {
        if (format.wireName.equals(wanted)) {
          return format;
        }
      }
    }
    throw new IllegalArgumentException(
        "unknown embedding format '" + name + "': expected diffusers, a1111 or kohya");
  }

  @Override
  public String toString() {
    return wireName;
  }
}
