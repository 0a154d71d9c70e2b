package dev.dti.toyworld;

/** A colour word and its 8-bit sRGB value: one entry of a toy-world palette. */
public record NamedColour(String word, int red, int green, int blue) {

  /** Euclidean distance in 8-bit RGB space. */
  public double distanceTo(double r, double g, double b) {
    double dr = red - r;
    double dg = green - g;
    double db = blue - b;
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }
}
