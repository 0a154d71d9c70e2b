package dev.dti.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToyWorldTest {

  private static final SceneObject RED_CIRCLE_IN_THE_MIDDLE =
      new SceneObject(Shape.CIRCLE, ObjectColour.RED, 16, 16, 10);

  @Test
  void rendersA32PixelPictureWithPaletteColoursInsideAndOutsideTheObject() {
    BufferedImage image =
        ToyWorld.render(Scene.single(BackgroundColour.WHITE, RED_CIRCLE_IN_THE_MIDDLE));

    assertThat(image.getWidth()).isEqualTo(32);
    assertThat(image.getHeight()).isEqualTo(32);
    assertThat(rgb(image, 16, 16)).containsExactly(220, 30, 30);
    assertThat(rgb(image, 0, 0)).containsExactly(245, 245, 245);
  }

  @Test
  void antiAliasesEdgesByBlendingObjectAndBackground() {
    var circleEndingMidPixel = new SceneObject(Shape.CIRCLE, ObjectColour.RED, 16, 16, 9.5);
    BufferedImage image =
        ToyWorld.render(Scene.single(BackgroundColour.WHITE, circleEndingMidPixel));

    // The circle's left edge runs through the middle of pixel (6, 16): about half red, half white.
    assertThat(rgb(image, 6, 16)[1]).isBetween(110, 165);
  }

  @Test
  void captionsNameTheColourAndNamedShapeOfEachObjectLeftFirst() {
    var leftSquare = new SceneObject(Shape.SQUARE, ObjectColour.GREEN, 8, 16, 5);
    var rightTriangle = new SceneObject(Shape.TRIANGLE, ObjectColour.YELLOW, 24, 16, 5);

    assertThat(ToyWorld.caption(Scene.single(BackgroundColour.BLUE, RED_CIRCLE_IN_THE_MIDDLE)))
        .isEqualTo("a red circle on a blue background");
    assertThat(ToyWorld.caption(Scene.pair(BackgroundColour.WHITE, leftSquare, rightTriangle)))
        .isEqualTo("a green square next to a yellow triangle on a white background");
    assertThat(
            ToyWorld.caption(
                Scene.single(
                    BackgroundColour.BLACK,
                    new SceneObject(Shape.CROSS, ObjectColour.ORANGE, 16, 16, 9))))
        .isEqualTo("an orange cross on a black background");
  }

  @Test
  void captionsCallAnUnnamedShapeOnlyObject() {
    var redStar = new SceneObject(Shape.STAR, ObjectColour.RED, 16, 16, 10);

    assertThat(ToyWorld.caption(Scene.single(BackgroundColour.GRAY, redStar)))
        .isEqualTo("a red object on a gray background");
  }

  @Test
  void captionsNeverNameAnUnnamedShape() {
    var sampler = SceneSampler.training(5, new SceneSampler.Settings(0.5, 0.5));
    Set<String> unnamedWords = new HashSet<>();
    Shape.unnamedShapes().forEach(s -> unnamedWords.add(s.word()));

    for (int i = 0; i < 1000; i++) {
      List<String> words = Arrays.asList(ToyWorld.caption(sampler.next()).split(" "));
      assertThat(words).doesNotContainAnyElementsOf(unnamedWords);
    }
  }

  @Test
  void vocabularyCoversEveryCaptionWordAndNoUnnamedShape() {
    var sampler = SceneSampler.training(6, new SceneSampler.Settings(0.3, 0.5));
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      used.addAll(Arrays.asList(ToyWorld.caption(sampler.next()).split(" ")));
    }

    assertThat(ToyWorld.vocabulary()).containsExactlyInAnyOrderElementsOf(used);
    assertThat(ToyWorld.vocabulary()).doesNotContain("star", "heart", "ring", "diamond");
  }

  @Test
  void theLongestCaptionFitsSixteenTokensWithStartAndEnd() {
    var longest =
        Scene.pair(
            BackgroundColour.WHITE,
            new SceneObject(Shape.TRIANGLE, ObjectColour.PURPLE, 8, 16, 5),
            new SceneObject(Shape.TRIANGLE, ObjectColour.YELLOW, 24, 16, 5));

    assertThat(ToyWorld.caption(longest).split(" ")).hasSize(12);
  }

  @Test
  void refusesAnObjectInTheBackgroundColour() {
    var blueCircle = new SceneObject(Shape.CIRCLE, ObjectColour.BLUE, 16, 16, 10);

    assertThatThrownBy(() -> Scene.single(BackgroundColour.BLUE, blueCircle))
        .hasMessage("a blue object is invisible on a blue background");
  }

  static int[] rgb(BufferedImage image, int x, int y) {
    int argb = image.getRGB(x, y);
    return new int[] {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
  }
}
