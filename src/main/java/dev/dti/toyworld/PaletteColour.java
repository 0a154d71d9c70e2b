package dev.dti.toyworld;

import java.util.Comparator;
import java.util.List;

/** A named colour of the toy world's palette, as 8-bit sRGB. */
public interface PaletteColour {

  String word();

  int red();

  int green();

  int blue();

  /** Euclidean distance in 8-bit RGB space. */
  default double distanceTo(double r, double g, double b) {
    double dr = red() - r;
    double dg = green() - g;
    double db = blue() - b;
    return Math.sqrt(dr * dr + dg * dg + db * db);
  }

  default double distanceTo(PaletteColour other) {
    return distanceTo(other.red(), other.green(), other.blue());
  }

  /** The palette entries nearest to an RGB value, nearest first. */
  static <C extends PaletteColour> List<C> byDistance(
      List<C> palette, double r, double g, double b) {
    return palette.stream().sorted(Comparator.comparingDouble(c -> c.distanceTo(r, g, b))).toList();
  }
}
