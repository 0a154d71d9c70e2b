package dev.dti.toyworld;

/**
 * Background colours. Blue is the one overlap with the object palette (the same RGB as a blue
 * object): scenes never put a blue object on a blue background, every other pairing is allowed.
 */
public enum BackgroundColour implements PaletteColour {
  WHITE("white", 245, 245, 245),
  BLACK("black", 15, 15, 15),
  GRAY("gray", 128, 128, 128),
  BLUE("blue", 30, 70, 220);

  /** Objects closer than this to the background (in 8-bit RGB) are never drawn on it. */
  static final double MIN_OBJECT_CONTRAST = 90;

  private final String word;
  private final int red;
  private final int green;
  private final int blue;

  BackgroundColour(String word, int red, int green, int blue) {
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

  public static BackgroundColour byWord(String word) {
    return Words.lookup(values(), BackgroundColour::word, word, "background");
  }
}
