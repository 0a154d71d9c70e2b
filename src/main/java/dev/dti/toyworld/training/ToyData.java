package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.toyworld.Scene;
import dev.dti.toyworld.SceneSampler;
import dev.dti.toyworld.TokenizerFiles;
import dev.dti.toyworld.ToyWorld;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training batches as a pure function of (seed, stage, step): every step draws its scenes, caption
 * dropout, timesteps and noise from generators seeded by those three numbers, so a resumed run sees
 * exactly the data an uninterrupted one would, without saving any generator state.
 */
public final class ToyData {

  /** One stage's stream of batches, and the mix of scenes it draws. */
  public enum Stream {
    VAE(1, SceneSampler.Settings.TRAINING),
    DIFFUSION(2, SceneSampler.Settings.TRAINING),
    /** Half the scenes two-object: after one object is drawn well, composition is what is left. */
    COMPOSITION(3, new SceneSampler.Settings(0.2, 0.5));

    final long salt;
    final SceneSampler.Settings settings;

    Stream(long salt, SceneSampler.Settings settings) {
      this.salt = salt;
      this.settings = settings;
    }
  }

  private static final Map<String, Integer> VOCABULARY =
      TokenizerFiles.build(ToyWorld.vocabulary()).vocabulary();

  private ToyData() {}

  /** The generator for one purpose ({@code part}) of one step of one stream. */
  public static SplittableRandom random(long seed, Stream stream, long step, int part) {
    return new SplittableRandom(seed(seed, stream, step, part));
  }

  /** Gaussian noise for one purpose ({@code part}) of one step of one stream. */
  public static GaussianNoise noise(long seed, Stream stream, long step, int part) {
    return new GaussianNoise(seed(seed, stream, step, part));
  }

  private static long seed(long seed, Stream stream, long step, int part) {
    return mix(mix(mix(seed) ^ stream.salt) ^ step) + part;
  }

  /** The scenes of one training step (training scene stream, the stream's mix). */
  public static List<Scene> scenes(long seed, Stream stream, long step, int batch) {
    SceneSampler sampler =
        SceneSampler.training(random(seed, stream, step, 0).nextLong(), stream.settings);
    List<Scene> scenes = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      scenes.add(sampler.next());
    }
    return scenes;
  }

  /** Rendered scenes as [B, 3, 32, 32] in [-1, 1] (the VAE's input range). */
  public static NDArray pixels(NDManager manager, List<Scene> scenes) {
    List<BufferedImage> images = new ArrayList<>(scenes.size());
    for (Scene scene : scenes) {
      images.add(ToyWorld.render(scene));
    }
    return pixelsOf(manager, images);
  }

  /** 8-bit RGB images as [B, 3, H, W] in [-1, 1]. */
  public static NDArray pixelsOf(NDManager manager, List<BufferedImage> images) {
    int height = images.get(0).getHeight();
    int width = images.get(0).getWidth();
    int plane = height * width;
    float[] values = new float[images.size() * 3 * plane];
    for (int b = 0; b < images.size(); b++) {
      BufferedImage image = images.get(b);
      int offset = b * 3 * plane;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int rgb = image.getRGB(x, y);
          int i = offset + y * width + x;
          values[i] = ((rgb >> 16) & 0xff) / 127.5f - 1f;
          values[i + plane] = ((rgb >> 8) & 0xff) / 127.5f - 1f;
          values[i + 2 * plane] = (rgb & 0xff) / 127.5f - 1f;
        }
      }
    }
    return manager.create(values, new Shape(images.size(), 3, height, width));
  }

  /**
   * Token ids [B, 16] (int64) as CLIPTokenizer pads them: start, one token a caption word, end,
   * then end-of-text padding. Every caption word is a single token of the toy tokenizer.
   */
  public static NDArray tokens(NDManager manager, List<String> captions) {
    long[] ids = new long[captions.size() * ToyModelArchitecture.MAX_TOKENS];
    for (int b = 0; b < captions.size(); b++) {
      int[] row = tokenIds(captions.get(b));
      for (int i = 0; i < row.length; i++) {
        ids[b * ToyModelArchitecture.MAX_TOKENS + i] = row[i];
      }
    }
    return manager.create(ids, new Shape(captions.size(), ToyModelArchitecture.MAX_TOKENS));
  }

  static int[] tokenIds(String caption) {
    int[] row = new int[ToyModelArchitecture.MAX_TOKENS];
    java.util.Arrays.fill(row, ToyModelArchitecture.EOS_TOKEN_ID);
    row[0] = ToyModelArchitecture.BOS_TOKEN_ID;
    int position = 1;
    for (String word : caption.isBlank() ? new String[0] : caption.trim().split(" +")) {
      Integer id = VOCABULARY.get(word + TokenizerFiles.END_OF_WORD);
      if (id == null) {
        throw new IllegalArgumentException("'" + word + "' is not a toy-world caption word");
      }
      if (position >= ToyModelArchitecture.MAX_TOKENS - 1) {
        throw new IllegalArgumentException("caption longer than 14 words: " + caption);
      }
      row[position++] = id;
    }
    return row;
  }

  /** SplitMix64's finalizer: spreads nearby seeds over the whole 64-bit range. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
