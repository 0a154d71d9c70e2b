package dev.dti.toyworld;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The procedural toy world: 32×32 RGB pictures of big, few-coloured objects (an f = 4 VAE makes
 * them 8×8 latents) and their captions from a fixed word vocabulary.
 */
public final class ToyWorld {

  /** Width and height of every picture, in pixels. */
  public static final int IMAGE_SIZE = 32;

  /** The word captions use for an unnamed shape. */
  public static final String UNNAMED_SHAPE_WORD = "object";

  /** Sub-pixel samples per axis when rendering: 16 samples a pixel give smooth edges. */
  private static final int RENDER_SAMPLES = 4;

  private static final List<String> TEMPLATE_WORDS =
      List.of("a", "an", "on", "background", "next", "to", UNNAMED_SHAPE_WORD);

  private ToyWorld() {}

  /** Draws the scene: each pixel blends object and background by the object's coverage. */
  public static BufferedImage render(Scene scene) {
    int n = IMAGE_SIZE;
    BackgroundColour bg = scene.background();
    float[][] rgb = new float[3][n * n];
    Arrays.fill(rgb[0], bg.red());
    Arrays.fill(rgb[1], bg.green());
    Arrays.fill(rgb[2], bg.blue());
    for (SceneObject object : scene.objects()) {
      float[] coverage =
          Coverage.of(
              object.shape(),
              object.centreX(),
              object.centreY(),
              object.size(),
              n,
              n,
              RENDER_SAMPLES);
      int[] colour = {object.colour().red(), object.colour().green(), object.colour().blue()};
      for (int p = 0; p < n * n; p++) {
        float a = coverage[p];
        if (a > 0) {
          for (int c = 0; c < 3; c++) {
            rgb[c][p] = (1 - a) * rgb[c][p] + a * colour[c];
          }
        }
      }
    }
    return RgbPlanes.toImage(rgb, n, n);
  }

  /**
   * The caption: "a red circle on a blue background", "a green square next to a yellow triangle on
   * a white background" (left object first); unnamed shapes are "object"; "an" before a vowel ("an
   * orange cross").
   */
  public static String caption(Scene scene) {
    String objects =
        scene.objects().stream().map(ToyWorld::describe).collect(Collectors.joining(" next to "));
    return objects + " on a " + scene.background().word() + " background";
  }

  private static String describe(SceneObject object) {
    String shape = object.shape().named() ? object.shape().word() : UNNAMED_SHAPE_WORD;
    String colour = object.colour().word();
    return article(colour) + " " + colour + " " + shape;
  }

  /** "a" or "an" before {@code nextWord}, as captions write it. */
  public static String article(String nextWord) {
    return "aeiou".indexOf(nextWord.charAt(0)) >= 0 ? "an" : "a";
  }

  /**
   * Every word a caption can contain, in a fixed order: template words, object colours, background
   * colours, named shapes. Unnamed shape words are deliberately absent.
   */
  public static List<String> vocabulary() {
    Set<String> words = new LinkedHashSet<>(TEMPLATE_WORDS);
    Arrays.stream(ObjectColour.values()).map(ObjectColour::word).forEach(words::add);
    Arrays.stream(BackgroundColour.values()).map(BackgroundColour::word).forEach(words::add);
    Shape.namedShapes().stream().map(Shape::word).forEach(words::add);
    return List.copyOf(words);
  }
}
