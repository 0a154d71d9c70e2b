package dev.dti.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws random scenes from a seed; the same seed and settings always give the same scenes in the
 * same order.
 *
 * <p>Training and held-out evaluation use separate streams: {@link #training} and {@link #heldOut}
 * mix a different constant into the seed, so no seed value makes the judge's held-out scenes repeat
 * a training stream.
 */
public final class SceneSampler {

  /** Object size (half the width, in pixels) of a one-object scene: 16 to 24 pixels across. */
  public static final double SINGLE_MIN_SIZE = 8;

  public static final double SINGLE_MAX_SIZE = 12;

  /** Object size in a two-object scene: 10 to 13 pixels across, inside a 16-pixel half. */
  public static final double PAIR_MIN_SIZE = 5;

  public static final double PAIR_MAX_SIZE = 6.5;

  /** Gap between a one-object scene's object box and the image edge. */
  private static final double SINGLE_MARGIN = 2;

  /** Gap between a two-object scene's object box and the edges of its half and the image. */
  private static final double PAIR_MARGIN = 1;

  /**
   * How scenes are mixed: the share of objects with an unnamed shape and the share of two-object
   * scenes.
   */
  public record Settings(double unnamedFraction, double pairFraction) {

    /** Base-model training: mostly named shapes, a quarter of scenes with two objects. */
    public static final Settings TRAINING = new Settings(0.2, 0.25);

    /** Every shape equally often (four named, four unnamed), for judge evaluation. */
    public static final Settings ALL_SHAPES_EQUALLY = new Settings(0.5, 0.5);

    public Settings {
      if (unnamedFraction < 0 || unnamedFraction > 1 || pairFraction < 0 || pairFraction > 1) {
        throw new IllegalArgumentException("fractions must lie in [0, 1]");
      }
    }
  }

  /**
   * Attributes held fixed when drawing one-object scenes; a null field is drawn at random.
   *
   * @param size object size in pixels (half its width), within the one-object size range
   */
  public record Fixed(Shape shape, ObjectColour colour, BackgroundColour background, Double size) {

    public static final Fixed NOTHING = new Fixed(null, null, null, null);
  }

  private final SplittableRandom random;
  private final Settings settings;

  private SceneSampler(long seed, Settings settings) {
    this.random = new SplittableRandom(seed);
    this.settings = settings;
  }

  public static SceneSampler training(long seed, Settings settings) {
    return new SceneSampler(seed, settings);
  }

  public static SceneSampler heldOut(long seed, Settings settings) {
    return new SceneSampler(heldOutStream(seed), settings);
  }

  /** A one- or two-object scene, two-object with probability {@code pairFraction}. */
  public Scene next() {
    return random.nextDouble() < settings.pairFraction() ? nextPair() : nextSingle();
  }

  public Scene nextSingle() {
    return nextSingle(Fixed.NOTHING);
  }

  /** A one-object scene with the given attributes fixed and the rest drawn. */
  public Scene nextSingle(Fixed fixed) {
    Shape shape = fixed.shape() != null ? fixed.shape() : nextShape();
    ObjectColour colour = fixed.colour() != null ? fixed.colour() : pick(ObjectColour.values());
    BackgroundColour background =
        fixed.background() != null ? fixed.background() : nextBackgroundFor(List.of(colour));
    double size = fixed.size() != null ? fixed.size() : uniform(SINGLE_MIN_SIZE, SINGLE_MAX_SIZE);
    double lo = size + SINGLE_MARGIN;
    double hi = ToyWorld.IMAGE_SIZE - size - SINGLE_MARGIN;
    if (lo > hi) {
      throw new IllegalArgumentException(
          "size " + size + " does not fit a " + ToyWorld.IMAGE_SIZE + "-pixel picture");
    }
    var object = new SceneObject(shape, colour, uniform(lo, hi), uniform(lo, hi), size);
    return Scene.single(background, object);
  }

  /** A two-object scene: one object in each half, each with its own shape, colour and size. */
  public Scene nextPair() {
    ObjectColour leftColour = pick(ObjectColour.values());
    ObjectColour rightColour = pick(ObjectColour.values());
    BackgroundColour background = nextBackgroundFor(List.of(leftColour, rightColour));
    double half = ToyWorld.IMAGE_SIZE / 2.0;
    SceneObject left = nextPairObject(leftColour, 0);
    SceneObject right = nextPairObject(rightColour, half);
    return Scene.pair(background, left, right);
  }

  private SceneObject nextPairObject(ObjectColour colour, double halfStart) {
    double half = ToyWorld.IMAGE_SIZE / 2.0;
    double size = uniform(PAIR_MIN_SIZE, PAIR_MAX_SIZE);
    double x = halfStart + uniform(size + PAIR_MARGIN, half - size - PAIR_MARGIN);
    double y = uniform(size + PAIR_MARGIN, ToyWorld.IMAGE_SIZE - size - PAIR_MARGIN);
    return new SceneObject(nextShape(), colour, x, y, size);
  }

  private Shape nextShape() {
    List<Shape> pool =
        random.nextDouble() < settings.unnamedFraction()
            ? Shape.unnamedShapes()
            : Shape.namedShapes();
    return pool.get(random.nextInt(pool.size()));
  }

  private BackgroundColour nextBackgroundFor(List<ObjectColour> colours) {
    List<BackgroundColour> allowed = new ArrayList<>();
    for (BackgroundColour background : BackgroundColour.values()) {
      if (colours.stream().allMatch(c -> c.visibleOn(background))) {
        allowed.add(background);
      }
    }
    return allowed.get(random.nextInt(allowed.size()));
  }

  /**
   * The held-out stream's starting state: the seed through the murmur3 finalizer, far (in the
   * generator's sequence) from any small training seed, unlike {@code seed ^ constant} could be.
   */
  private static long heldOutStream(long seed) {
    long z = seed + 0x3C6EF372FE94F82AL;
    z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
    z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return z ^ (z >>> 33);
  }

  private <T> T pick(T[] values) {
    return values[random.nextInt(values.length)];
  }

  private double uniform(double lo, double hi) {
    return lo + (hi - lo) * random.nextDouble();
  }
}
