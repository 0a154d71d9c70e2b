package dev.dti.toyworld;

import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures how often the {@link Judge} reads the true attributes of held-out generator pictures:
 * every shape equally often, scenes from the held-out stream (never a training stream), optionally
 * degraded to look like generated pictures.
 */
public final class JudgeAccuracy {

  /** Counts of correct readings; two-object scenes count each object's shape and colour. */
  public record Tally(
      Layout layout,
      Degradation degradation,
      int images,
      int backgroundsRight,
      int objects,
      int coloursRight,
      int shapesRight,
      Map<Shape, int[]> shapeRightOfTotal) {

    public double backgroundAccuracy() {
      return (double) backgroundsRight / images;
    }

    public double colourAccuracy() {
      return (double) coloursRight / objects;
    }

    public double shapeAccuracy() {
      return (double) shapesRight / objects;
    }

    /** Shape accuracy on the objects of one true shape. */
    public double shapeAccuracy(Shape shape) {
      int[] counts = shapeRightOfTotal.get(shape);
      return counts == null || counts[1] == 0 ? Double.NaN : (double) counts[0] / counts[1];
    }
  }

  private JudgeAccuracy() {}

  public static Tally measure(Layout layout, int images, long seed, Degradation degradation) {
    var sampler = SceneSampler.heldOut(seed, SceneSampler.Settings.ALL_SHAPES_EQUALLY);
    var noise = new SplittableRandom(seed);
    int backgroundsRight = 0;
    int objects = 0;
    int coloursRight = 0;
    int shapesRight = 0;
    Map<Shape, int[]> byShape = new EnumMap<>(Shape.class);
    for (int i = 0; i < images; i++) {
      Scene scene = layout == Layout.SINGLE ? sampler.nextSingle() : sampler.nextPair();
      BufferedImage picture = degradation.apply(ToyWorld.render(scene), noise);
      Judgement judgement = Judge.judge(picture, layout);
      if (judgement.background().value().equals(scene.background().word())) {
        backgroundsRight++;
      }
      List<SceneObject> truth = scene.objects();
      for (int k = 0; k < truth.size(); k++) {
        SceneObject object = truth.get(k);
        Judgement.ObjectReading reading = judgement.objects().get(k);
        objects++;
        if (reading.colour().value().equals(object.colour().word())) {
          coloursRight++;
        }
        int[] counts = byShape.computeIfAbsent(object.shape(), s -> new int[2]);
        counts[1]++;
        if (reading.shape().value().equals(object.shape().word())) {
          shapesRight++;
          counts[0]++;
        }
      }
    }
    return new Tally(
        layout, degradation, images, backgroundsRight, objects, coloursRight, shapesRight, byShape);
  }
}
