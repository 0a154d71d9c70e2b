package dev.dti.toyworld.training;

import dev.dti.toyworld.Judge;
import dev.dti.toyworld.Judgement;
import dev.dti.toyworld.Scene;
import dev.dti.toyworld.SceneObject;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * How often the judge reads in pictures what their scenes asked for, per attribute: background once
 * a picture, shape and colour once an object (left and right half for two-object scenes).
 */
public record Agreement(int pictures, int objects, int background, int shape, int colour) {

  public static final Agreement NONE = new Agreement(0, 0, 0, 0, 0);

  /** Judges each picture against its scene. */
  public static Agreement of(List<Scene> scenes, List<BufferedImage> pictures) {
    Agreement total = NONE;
    for (int i = 0; i < scenes.size(); i++) {
      Scene scene = scenes.get(i);
      Judgement judgement = Judge.judge(pictures.get(i), scene.layout());
      int background = judgement.background().value().equals(scene.background().word()) ? 1 : 0;
      int shape = 0;
      int colour = 0;
      for (int k = 0; k < scene.objects().size(); k++) {
        SceneObject wanted = scene.objects().get(k);
        Judgement.ObjectReading read = judgement.objects().get(k);
        shape += read.shape().value().equals(wanted.shape().word()) ? 1 : 0;
        colour += read.colour().value().equals(wanted.colour().word()) ? 1 : 0;
      }
      total = total.plus(new Agreement(1, scene.objects().size(), background, shape, colour));
    }
    return total;
  }

  public Agreement plus(Agreement other) {
    return new Agreement(
        pictures + other.pictures,
        objects + other.objects,
        background + other.background,
        shape + other.shape,
        colour + other.colour);
  }

  public double shapeRate() {
    return objects == 0 ? 0 : (double) shape / objects;
  }

  public double colourRate() {
    return objects == 0 ? 0 : (double) colour / objects;
  }

  public double backgroundRate() {
    return pictures == 0 ? 0 : (double) background / pictures;
  }

  /** Whether every attribute agrees at least {@code rate} of the time. */
  public boolean atLeast(double rate) {
    return pictures > 0 && shapeRate() >= rate && colourRate() >= rate && backgroundRate() >= rate;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "shape %.3f colour %.3f background %.3f (%d pictures)",
        shapeRate(),
        colourRate(),
        backgroundRate(),
        pictures);
  }
}
