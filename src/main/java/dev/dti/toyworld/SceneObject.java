package dev.dti.toyworld;

/**
 * One object of a scene: its shape spans the square [centreX − size, centreX + size] × [centreY −
 * size, centreY + size] in pixel coordinates (pixel (i, j) covers [i, i + 1) × [j, j + 1)).
 */
public record SceneObject(
    Shape shape, ObjectColour colour, double centreX, double centreY, double size) {

  public SceneObject {
    if (!(size > 0)) {
      throw new IllegalArgumentException("object size must be positive, was " + size);
    }
  }
}
