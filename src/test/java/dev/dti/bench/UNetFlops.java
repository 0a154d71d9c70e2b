package dev.dti.bench;

import dev.dti.diffusion.unet.UNet2DConditionConfig;
import java.util.List;

/**
 * Floating-point operations of one UNet2DConditionModel forward pass, counted analytically: 2 per
 * multiply-add of every convolution, linear layer and attention matmul (q·kᵀ and probabilities·v).
 * Normalisations, activations, softmax and additions are left out (well under 1% at SD size).
 */
public final class UNetFlops {

  private final UNet2DConditionConfig config;
  private final long tokens;
  private long flops;

  private UNetFlops(UNet2DConditionConfig config, long tokens) {
    this.config = config;
    this.tokens = tokens;
  }

  /** For a batch of latents of {@code height × width} attending to {@code tokens} text tokens. */
  public static long forward(
      UNet2DConditionConfig config, long batch, long height, long width, long tokens) {
    UNetFlops count = new UNetFlops(config, tokens);
    count.walk(height * width);
    return batch * count.flops;
  }

  private void walk(long pixels) {
    List<Integer> channels = config.blockOutChannels();
    int blocks = channels.size();
    long base = channels.get(0);
    long time = config.timeEmbedDim();
    flops += 2 * (base * time + time * time);
    if (config.requiresAddedConditions()) {
      flops += 2 * (config.projectionClassEmbeddingsInputDim() * time + time * time);
    }
    conv(config.inChannels(), base, config.convInKernel(), pixels);

    long hw = pixels;
    for (int i = 0; i < blocks; i++) {
      long in = i == 0 ? base : channels.get(i - 1);
      long out = channels.get(i);
      boolean attention =
          config.downBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_ATTN_DOWN);
      for (int layer = 0; layer < config.layersPerBlock(); layer++) {
        resnet(layer == 0 ? in : out, out, hw);
        if (attention) {
          transformer(out, hw, config.transformerLayers(i));
        }
      }
      if (i < blocks - 1) {
        hw /= 4;
        conv(out, out, 3, hw);
      }
    }

    long deepest = channels.get(blocks - 1);
    resnet(deepest, deepest, hw);
    transformer(deepest, hw, config.transformerLayers(blocks - 1));
    resnet(deepest, deepest, hw);

    List<Integer> reversed = channels.reversed();
    for (int i = 0; i < blocks; i++) {
      long out = reversed.get(i);
      long prev = reversed.get(Math.max(i - 1, 0));
      long in = reversed.get(Math.min(i + 1, blocks - 1));
      int layers = config.layersPerBlock() + 1;
      boolean attention = config.upBlockTypes().get(i).equals(UNet2DConditionConfig.CROSS_ATTN_UP);
      for (int j = 0; j < layers; j++) {
        long skip = j == layers - 1 ? in : out;
        resnet((j == 0 ? prev : out) + skip, out, hw);
        if (attention) {
          transformer(out, hw, config.transformerLayers(blocks - 1 - i));
        }
      }
      if (i < blocks - 1) {
        hw *= 4;
        conv(out, out, 3, hw);
      }
    }
    conv(base, config.outChannels(), config.convOutKernel(), hw);
  }

  private void resnet(long in, long out, long hw) {
    conv(in, out, 3, hw);
    linear(config.timeEmbedDim(), out, 1);
    conv(out, out, 3, hw);
    if (in != out) {
      conv(in, out, 1, hw);
    }
  }

  private void transformer(long c, long hw, int depth) {
    long context = config.crossAttentionDim();
    linear(c, c, hw); // proj_in (1×1 conv or linear: the same count)
    for (int layer = 0; layer < depth; layer++) {
      linear(c, c, hw * 4); // attn1 q, k, v, out
      flops += 2 * 2 * hw * hw * c; // attn1 q·kᵀ and probabilities·v
      linear(c, c, hw * 2); // attn2 q, out
      linear(context, c, tokens * 2); // attn2 k, v
      flops += 2 * 2 * hw * tokens * c;
      linear(c, 8 * c, hw); // GEGLU proj
      linear(4 * c, c, hw); // ff out
    }
    linear(c, c, hw); // proj_out
  }

  private void conv(long in, long out, long kernel, long hw) {
    flops += 2 * in * out * kernel * kernel * hw;
  }

  private void linear(long in, long out, long rows) {
    flops += 2 * in * out * rows;
  }
}
