package dev.dti.toyworld.training;

import dev.dti.toyworld.Scene;
import dev.dti.toyworld.SceneSampler;
import dev.dti.toyworld.ToyWorld;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates pictures for held-out captions of named shapes (the base model has no word for the
 * unnamed ones) and judges them: one-object and two-object prompts separately, fixed seeds.
 */
public final class BaseModelEvaluation {

  public static final int DDIM_STEPS = 25;
  public static final double GUIDANCE = 5.0;

  /** Agreement the gate asks of every attribute, on one-object and on two-object prompts. */
  public static final double GATE = 0.8;

  /** One-object and two-object agreement, and the pictures (singles first). */
  public record Result(Agreement singles, Agreement pairs, List<BufferedImage> pictures) {

    /** The gate: every attribute at least {@link #GATE}, one-object and two-object prompts. */
    public boolean gateMet() {
      return singles.atLeast(GATE) && pairs.atLeast(GATE);
    }
  }

  private BaseModelEvaluation() {}

  /**
   * Held-out scenes: {@code singles} one-object then {@code pairs} two-object, named shapes only.
   */
  public static List<Scene> prompts(long seed, int singles, int pairs) {
    SceneSampler sampler = SceneSampler.heldOut(seed, new SceneSampler.Settings(0.0, 0.0));
    List<Scene> scenes = new ArrayList<>();
    for (int i = 0; i < singles; i++) {
      scenes.add(sampler.nextSingle());
    }
    for (int i = 0; i < pairs; i++) {
      scenes.add(sampler.nextPair());
    }
    return scenes;
  }

  public static Result run(ToySampler sampler, long seed, int singles, int pairs) {
    return run(sampler, seed, singles, pairs, GUIDANCE);
  }

  /** {@link #run(ToySampler, long, int, int)} at another classifier-free guidance scale. */
  public static Result run(ToySampler sampler, long seed, int singles, int pairs, double guidance) {
    List<Scene> scenes = prompts(seed, singles, pairs);
    List<String> captions = scenes.stream().map(ToyWorld::caption).toList();
    long[] seeds = new long[scenes.size()];
    for (int i = 0; i < seeds.length; i++) {
      seeds[i] = ToyData.mix(seed * 1_000_003L + i);
    }
    List<BufferedImage> pictures = sampler.generateAll(captions, seeds, DDIM_STEPS, guidance);
    Agreement one = Agreement.of(scenes.subList(0, singles), pictures.subList(0, singles));
    Agreement two =
        Agreement.of(
            scenes.subList(singles, scenes.size()), pictures.subList(singles, scenes.size()));
    return new Result(one, two, pictures);
  }
}
