package dev.dti.toyworld;

/**
 * Background colours. Blue is the one overlap with the object palette (the same RGB as a blue
 * object): scenes never put a blue object on a blue background, every other pairing is allowed.
 */
public enum BackgroundColour implements PaletteColour {
  WHITE(new NamedColour("white", 245, 245, 245)),
  BLACK(new NamedColour("black", 15, 15, 15)),
  GRAY(new NamedColour("gray", 128, 128, 128)),
  BLUE(new NamedColour("blue", 30, 70, 220));

  /** Objects closer than this to the background (in 8-bit RGB) are never drawn on it. */
  static final double MIN_OBJECT_CONTRAST = 90;

  private final NamedColour colour;

  BackgroundColour(NamedColour colour) {
    this.colour = colour;
  }

  @Override
  public NamedColour colour() {
    return colour;
  }

  public static BackgroundColour byWord(String word) {
    return Words.lookup(values(), BackgroundColour::word, word, "background");
  }
}
