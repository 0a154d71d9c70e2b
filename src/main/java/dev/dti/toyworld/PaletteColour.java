package dev.dti.toyworld;

import java.util.Comparator;
import java.util.List;

/** A named colour of the toy world's palettes (objects, backgrounds), as 8-bit sRGB. */
public interface PaletteColour {

  NamedColour colour();

  default String word() {
    return colour().word();
  }

  default int red() {
    return colour().red();
  }

  default int green() {
    return colour().green();
  }

  default int blue() {
    return colour().blue();
  }

  /** Euclidean distance in 8-bit RGB space. */
  default double distanceTo(double r, double g, double b) {
    return colour().distanceTo(r, g, b);
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
