package dev.dti.concept;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which caption templates training uses for concepts without user captions, and their lists: the
 * {@code imagenet_templates_small} (27) and {@code imagenet_style_templates_small} (19) lists of
 * the Textual Inversion paper, as used by diffusers' textual_inversion.py and the DTI authors'
 * code.
 *
 * <p>A model trained on another caption language (the toy model knows 20 words, no "photo" or
 * "painting") ships its own lists in {@value #MODEL_FILE} at the top of its folder, {@code
 * {"object": ["a {}"], "style": [...]}}; {@link #forModel} prefers them. Captions made of words the
 * text encoder never saw condition the UNet on noise, and the token learns to make up for it.
 */
public enum TemplateSet {
  OBJECT(
      List.of(
          "a photo of a {}",
          "a rendering of a {}",
          "a cropped photo of the {}",
          "the photo of a {}",
          "a photo of a clean {}",
          "a photo of a dirty {}",
          "a dark photo of the {}",
          "a photo of my {}",
          "a photo of the cool {}",
          "a close-up photo of a {}",
          "a bright photo of the {}",
          "a cropped photo of a {}",
          "a photo of the {}",
          "a good photo of the {}",
          "a photo of one {}",
          "a close-up photo of the {}",
          "a rendition of the {}",
          "a photo of the clean {}",
          "a rendition of a {}",
          "a photo of a nice {}",
          "a good photo of a {}",
          "a photo of the nice {}",
          "a photo of the small {}",
          "a photo of the weird {}",
          "a photo of the large {}",
          "a photo of a cool {}",
          "a photo of a small {}")),
  STYLE(
      List.of(
          "a painting in the style of {}",
          "a rendering in the style of {}",
          "a cropped painting in the style of {}",
          "the painting in the style of {}",
          "a clean painting in the style of {}",
          "a dirty painting in the style of {}",
          "a dark painting in the style of {}",
          "a picture in the style of {}",
          "a cool painting in the style of {}",
          "a close-up painting in the style of {}",
          "a bright painting in the style of {}",
          "a cropped painting in the style of {}",
          "a good painting in the style of {}",
          "a close-up painting in the style of {}",
          "a rendition in the style of {}",
          "a nice painting in the style of {}",
          "a small painting in the style of {}",
          "a weird painting in the style of {}",
          "a large painting in the style of {}"));

  /** Optional file of a model folder with that model's own templates, per set. */
  public static final String MODEL_FILE = "prompt_templates.json";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<String> templates;

  TemplateSet(List<String> templates) {
    this.templates = templates;
  }

  public List<String> templates() {
    return templates;
  }

  /** The i-th template (cyclically) with {@code placeholder} filled in. */
  public String caption(int index, String placeholder) {
    return caption(templates, index, placeholder);
  }

  /** The i-th of {@code templates} (cyclically) with {@code placeholder} filled in. */
  public static String caption(List<String> templates, int index, String placeholder) {
    return templates.get(Math.floorMod(index, templates.size())).replace("{}", placeholder);
  }

  /**
   * This set's wire name, as the API, the stored hyperparameters and {@value #MODEL_FILE} say it.
   */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * This set for the model in {@code modelDir}: its {@value #MODEL_FILE} entry when the folder has
   * one, else the built-in list.
   *
   * @throws IllegalStateException when the file is not a JSON object of non-empty lists of
   *     templates that each contain "{}" once
   */
  public List<String> forModel(Path modelDir) {
    Path file = modelDir.resolve(MODEL_FILE);
    if (!Files.isRegularFile(file)) {
      return templates;
    }
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException(file + " is not JSON: " + e.getMessage(), e);
    }
    JsonNode list = root.isObject() ? root.get(wireName()) : null;
    if (list == null) {
      return templates;
    }
    List<String> own = new ArrayList<>();
    for (JsonNode template : list.isArray() ? list : List.<JsonNode>of()) {
      String text = template.isString() ? template.asString() : "";
      if (text.indexOf("{}") < 0 || text.indexOf("{}") != text.lastIndexOf("{}")) {
        throw new IllegalStateException(
            file + ": every \"" + wireName() + "\" template must contain {} once, not " + template);
      }
      own.add(text);
    }
    if (own.isEmpty()) {
      throw new IllegalStateException(
          file + ": \"" + wireName() + "\" must be a non-empty list of templates");
    }
    return List.copyOf(own);
  }

  /** The set with this wire name, if there is one. */
  public static Optional<TemplateSet> fromWire(String value) {
    return Arrays.stream(values()).filter(t -> t.wireName().equals(value)).findFirst();
  }

  /**
   * The set with this wire name, for values this service wrote itself.
   *
   * @throws IllegalArgumentException for any other value
   */
  @JsonCreator
  public static TemplateSet ofWire(String value) {
    return fromWire(value)
        .orElseThrow(() -> new IllegalArgumentException("unknown template set '" + value + "'"));
  }
}
