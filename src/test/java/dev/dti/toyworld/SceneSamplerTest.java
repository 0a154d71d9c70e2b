package dev.dti.toyworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SceneSamplerTest {

  private static final SceneSampler.Settings MIXED = SceneSampler.Settings.TRAINING;

  @Test
  void theSameSeedGivesIdenticalScenesAndPixels() {
    var first = SceneSampler.training(42, MIXED);
    var second = SceneSampler.training(42, MIXED);

    for (int i = 0; i < 50; i++) {
      Scene a = first.next();
      Scene b = second.next();
      assertThat(a).isEqualTo(b);
      assertThat(pixels(ToyWorld.render(a))).isEqualTo(pixels(ToyWorld.render(b)));
    }
  }

  @Test
  void anotherSeedOrTheHeldOutStreamGivesOtherScenes() {
    List<Scene> seed42 = take(SceneSampler.training(42, MIXED), 20);

    assertThat(take(SceneSampler.training(43, MIXED), 20)).doesNotContainAnyElementsOf(seed42);
    assertThat(take(SceneSampler.heldOut(42, MIXED), 20)).doesNotContainAnyElementsOf(seed42);
  }

  @Test
  void fractionsChooseBetweenOneAndTwoObjectsAndNamedAndUnnamedShapes() {
    var allPairsAllUnnamed = SceneSampler.training(1, new SceneSampler.Settings(1, 1));
    var allSingleAllNamed = SceneSampler.training(1, new SceneSampler.Settings(0, 0));

    for (int i = 0; i < 200; i++) {
      Scene pair = allPairsAllUnnamed.next();
      assertThat(pair.layout()).isEqualTo(Layout.PAIR);
      assertThat(pair.objects()).allMatch(o -> !o.shape().named());
      Scene single = allSingleAllNamed.next();
      assertThat(single.layout()).isEqualTo(Layout.SINGLE);
      assertThat(single.objects()).allMatch(o -> o.shape().named());
    }
  }

  @Test
  void keepsEachObjectInsideThePictureAndEachPairObjectInsideItsHalf() {
    var sampler = SceneSampler.training(9, new SceneSampler.Settings(0.5, 0.5));

    for (int i = 0; i < 1000; i++) {
      Scene scene = sampler.next();
      for (int k = 0; k < scene.objects().size(); k++) {
        SceneObject o = scene.objects().get(k);
        double left = scene.layout() == Layout.PAIR && k == 1 ? 16 : 0;
        double right = scene.layout() == Layout.PAIR && k == 0 ? 16 : 32;
        assertThat(o.centreX() - o.size()).isGreaterThanOrEqualTo(left + 1);
        assertThat(o.centreX() + o.size()).isLessThanOrEqualTo(right - 1);
        assertThat(o.centreY() - o.size()).isGreaterThanOrEqualTo(1);
        assertThat(o.centreY() + o.size()).isLessThanOrEqualTo(31);
      }
    }
  }

  @Test
  void fixedAttributesAreKeptAndTheRestVary() {
    var sampler = SceneSampler.training(3, MIXED);
    var fixed = new SceneSampler.Fixed(Shape.STAR, ObjectColour.RED, null, 10.0);

    List<Scene> scenes = take(() -> sampler.nextSingle(fixed), 20);

    assertThat(scenes)
        .allSatisfy(
            s -> {
              SceneObject o = s.objects().get(0);
              assertThat(o.shape()).isEqualTo(Shape.STAR);
              assertThat(o.colour()).isEqualTo(ObjectColour.RED);
              assertThat(o.size()).isEqualTo(10.0);
            });
    assertThat(scenes.stream().map(Scene::background).distinct().count()).isGreaterThan(1);
  }

  private static List<Scene> take(SceneSampler sampler, int count) {
    return take(sampler::next, count);
  }

  private static List<Scene> take(Supplier<Scene> next, int count) {
    List<Scene> scenes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      scenes.add(next.get());
    }
    return scenes;
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
