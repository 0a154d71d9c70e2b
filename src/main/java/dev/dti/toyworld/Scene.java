package dev.dti.toyworld;

import java.util.List;

/**
 * A toy-world picture: one object anywhere, or two objects, the first in the left half and the
 * second in the right half (so each half can be judged on its own), on a plain background.
 */
public record Scene(BackgroundColour background, List<SceneObject> objects) {

  public Scene {
    objects = List.copyOf(objects);
    if (objects.isEmpty() || objects.size() > 2) {
      throw new IllegalArgumentException("a scene has one or two objects, not " + objects.size());
    }
    for (SceneObject object : objects) {
      if (!object.colour().visibleOn(background)) {
        throw new IllegalArgumentException(
            "a "
                + object.colour().word()
                + " object is invisible on a "
                + background.word()
                + " background");
      }
    }
  }

  public static Scene single(BackgroundColour background, SceneObject object) {
    return new Scene(background, List.of(object));
  }

  public static Scene pair(BackgroundColour background, SceneObject left, SceneObject right) {
    return new Scene(background, List.of(left, right));
  }

  public Layout layout() {
    return objects.size() == 1 ? Layout.SINGLE : Layout.PAIR;
  }
}
