package dev.dti.training;

import java.util.List;

/**
 * Caption templates for concepts without user captions: the {@code imagenet_templates_small} (27)
 * and {@code imagenet_style_templates_small} (19) lists of the Textual Inversion paper, as used by
 * diffusers' textual_inversion.py and the DTI authors' code.
 */
public enum PromptTemplates {
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

  private final List<String> templates;

  PromptTemplates(List<String> templates) {
    this.templates = templates;
  }

  public List<String> templates() {
    return templates;
  }

  /** The i-th template (cyclically) with {@code placeholder} filled in. */
  public String caption(int index, String placeholder) {
    return templates.get(Math.floorMod(index, templates.size())).replace("{}", placeholder);
  }

  public static PromptTemplates fromWireName(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }
}
