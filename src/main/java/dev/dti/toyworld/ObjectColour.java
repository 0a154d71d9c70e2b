package dev.dti.toyworld;

/**
 * Object colours: six hues chosen at least 95 apart in 8-bit RGB (the closest pair is orange and
 * yellow) and at least 100 apart from every background they may be drawn on.
 */
public enum ObjectColour implements PaletteColour {
  RED("red", 220, 30, 30),
  GREEN("green", 30, 170, 50),
  BLUE("blue", 30, 70, 220),
  YELLOW("yellow", 240, 225, 30),
  PURPLE("purple", 140, 50, 190),
  ORANGE("orange", 250, 130, 20);

  private final String word;
  private final int red;
  private final int green;
  private final int blue;

  ObjectColour(String word, int red, int green, int blue) {
    this.word = word;
    this.red = red;
    this.green = green;
    this.blue = blue;
  }

  @Override
  public String word() {
    return word;
  }

  @Override
  public int red() {
    return red;
  }

  @Override
  public int green() {
    return green;
  }

  @Override
  public int blue() {
    return blue;
  }

  /** Whether an object of this colour may be drawn on the background (never blue on blue). */
  public boolean visibleOn(BackgroundColour background) {
    return distanceTo(background) >= BackgroundColour.MIN_OBJECT_CONTRAST;
  }

  public static ObjectColour byWord(String word) {
    return Words.lookup(values(), ObjectColour::word, word, "colour");
  }
}
