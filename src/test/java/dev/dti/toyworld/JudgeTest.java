package dev.dti.toyworld;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.toyworld.Judgement.ObjectReading;
import dev.dti.toyworld.Judgement.Reading;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JudgeTest {

  @ParameterizedTest
  @EnumSource(Shape.class)
  void readsTheShapeColourAndBackgroundOfAOneObjectScene(Shape shape) {
    var scene =
        Scene.single(BackgroundColour.GRAY, new SceneObject(shape, ObjectColour.PURPLE, 15, 17, 9));

    Judgement judgement = Judge.judge(ToyWorld.render(scene), Layout.SINGLE);

    assertThat(judgement.background().value()).isEqualTo("gray");
    assertThat(judgement.objects()).hasSize(1);
    assertThat(judgement.objects().get(0).shape().value()).isEqualTo(shape.word());
    assertThat(judgement.objects().get(0).colour().value()).isEqualTo("purple");
  }

  @Test
  void readsEachHalfOfATwoObjectSceneLeftFirst() {
    var scene =
        Scene.pair(
            BackgroundColour.BLACK,
            new SceneObject(Shape.HEART, ObjectColour.ORANGE, 8, 12, 5.5),
            new SceneObject(Shape.CROSS, ObjectColour.YELLOW, 24, 20, 5.5));

    Judgement judgement = Judge.judge(ToyWorld.render(scene), Layout.PAIR);

    assertThat(judgement.background().value()).isEqualTo("black");
    assertThat(judgement.objects())
        .extracting(o -> o.shape().value() + " " + o.colour().value())
        .containsExactly("heart orange", "cross yellow");
  }

  @Test
  void isConfidentAboutACleanRendering() {
    var scene =
        Scene.single(
            BackgroundColour.WHITE, new SceneObject(Shape.RING, ObjectColour.BLUE, 16, 16, 10));

    Judgement judgement = Judge.judge(ToyWorld.render(scene), Layout.SINGLE);

    assertThat(judgement.background().confidence()).isGreaterThan(0.95);
    assertThat(judgement.objects().get(0).colour().confidence()).isGreaterThan(0.95);
    assertThat(judgement.objects().get(0).shape().confidence()).isGreaterThan(0.9);
  }

  @Test
  void readsNoObjectOnAPlainBackground() {
    var plain = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
    var noise = new SplittableRandom(1);

    Judgement judgement = Judge.judge(Degradation.BLUR_NOISE_010.apply(plain, noise), Layout.PAIR);

    assertThat(judgement.background().value()).isEqualTo("black");
    assertThat(judgement.objects()).allMatch(o -> !o.found());
    assertThat(judgement.objects().get(0))
        .isEqualTo(new ObjectReading(new Reading("none", 0), new Reading("none", 0)));
  }

  @Test
  void readsAPictureOfAnotherSizeAfterResizingIt() {
    var scene =
        Scene.single(
            BackgroundColour.BLUE, new SceneObject(Shape.STAR, ObjectColour.YELLOW, 17, 15, 11));
    BufferedImage large = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    var graphics = large.createGraphics();
    graphics.drawImage(ToyWorld.render(scene), 0, 0, 96, 96, null);
    graphics.dispose();

    Judgement judgement = Judge.judge(large, Layout.SINGLE);

    assertThat(judgement.background().value()).isEqualTo("blue");
    assertThat(judgement.objects().get(0).shape().value()).isEqualTo("star");
    assertThat(judgement.objects().get(0).colour().value()).isEqualTo("yellow");
  }

  @Test
  void readsASmallTwoObjectSceneThroughBlurAndNoise() {
    var scene =
        Scene.pair(
            BackgroundColour.GRAY,
            new SceneObject(Shape.RING, ObjectColour.GREEN, 7, 8, 5),
            new SceneObject(Shape.DIAMOND, ObjectColour.RED, 25, 24, 5));
    BufferedImage degraded =
        Degradation.BLUR_NOISE_010.apply(ToyWorld.render(scene), new SplittableRandom(3));

    Judgement judgement = Judge.judge(degraded, Layout.PAIR);

    assertThat(judgement.objects())
        .extracting(o -> o.shape().value() + " " + o.colour().value())
        .containsExactly("ring green", "diamond red");
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void readsAtLeast95PercentOfEachAttributeOnHeldOutScenesCleanAndDegraded(Layout layout) {
    for (Degradation degradation :
        new Degradation[] {Degradation.CLEAN, Degradation.BLUR_NOISE_010}) {
      JudgeAccuracy.Tally tally = JudgeAccuracy.measure(layout, 300, 2024, degradation);

      assertThat(tally.backgroundAccuracy()).as(degradation.name()).isGreaterThanOrEqualTo(0.95);
      assertThat(tally.colourAccuracy()).as(degradation.name()).isGreaterThanOrEqualTo(0.95);
      assertThat(tally.shapeAccuracy()).as(degradation.name()).isGreaterThanOrEqualTo(0.95);
    }
  }
}
