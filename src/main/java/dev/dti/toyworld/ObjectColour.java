package dev.dti.toyworld;

/**
 * Object colours: six hues chosen at least 95 apart in 8-bit RGB (the closest pair is orange and
 * yellow) and at least 100 apart from every background they may be drawn on.
 */
public enum ObjectColour implements PaletteColour {
  RED(new NamedColour("red", 220, 30, 30)),
  GREEN(new NamedColour("green", 30, 170, 50)),
  BLUE(new NamedColour("blue", 30, 70, 220)),
  YELLOW(new NamedColour("yellow", 240, 225, 30)),
  PURPLE(new NamedColour("purple", 140, 50, 190)),
  ORANGE(new NamedColour("orange", 250, 130, 20));

  private final NamedColour colour;

  ObjectColour(NamedColour colour) {
    this.colour = colour;
  }

  @Override
  public NamedColour colour() {
    return colour;
  }

  /** Whether an object of this colour may be drawn on the background (never blue on blue). */
  public boolean visibleOn(BackgroundColour background) {
    return distanceTo(background) >= BackgroundColour.MIN_OBJECT_CONTRAST;
  }

  public static ObjectColour byWord(String word) {
    return Words.lookup(values(), ObjectColour::word, word, "colour");
  }
}
