package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.Activations;
import dev.dti.diffusion.nn.CheckpointParameters;
import dev.dti.diffusion.nn.Conv2d;
import dev.dti.diffusion.nn.GroupNorm;
import dev.dti.diffusion.nn.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * diffusers' {@code UNet2DConditionModel} (SD 1.x/2.x): predicts the noise in a latent from the
 * timestep and the text encoder's hidden states. Weights are looked up by their diffusers state
 * dict names and never require gradients, so back-propagation computes only what flows to the
 * inputs (the conditioning, for textual inversion).
 */
public final class UNet2DConditionModel {

  public static final String CONFIG_FILE = "config.json";
  public static final List<String> WEIGHT_FILES =
      List.of("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors");

  private final UNet2DConditionConfig config;
  private final Map<String, NDArray> parameters;
  private final Conv2d convIn;
  private final Timesteps timeProj;
  private final TimestepEmbedding timeEmbedding;
  private final List<UNetDownBlock> downBlocks = new ArrayList<>();
  private final UNetMidBlock2DCrossAttn midBlock;
  private final List<UNetUpBlock> upBlocks = new ArrayList<>();
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  public UNet2DConditionModel(UNet2DConditionConfig config, Parameters p) {
    this.config = config;
    int base = config.blockOutChannels().get(0);
    this.convIn =
        new Conv2d(
            p.sub("conv_in"),
            config.inChannels(),
            base,
            config.convInKernel(),
            1,
            config.convInKernel() / 2);
    this.timeProj = new Timesteps(base, config.flipSinToCos(), config.freqShift(), p.scalars());
    this.timeEmbedding =
        new TimestepEmbedding(p.sub("time_embedding"), base, config.timeEmbedDim());
    for (int i = 0; i < config.downBlockTypes().size(); i++) {
      downBlocks.add(UNetDownBlock.create(p.sub("down_blocks").sub(String.valueOf(i)), config, i));
    }
    this.midBlock = new UNetMidBlock2DCrossAttn(p.sub("mid_block"), config);
    for (int i = 0; i < config.upBlockTypes().size(); i++) {
      upBlocks.add(UNetUpBlock.create(p.sub("up_blocks").sub(String.valueOf(i)), config, i));
    }
    this.convNormOut =
        new GroupNorm(p.sub("conv_norm_out"), config.normNumGroups(), base, config.normEps());
    this.convOut =
        new Conv2d(
            p.sub("conv_out"),
            base,
            config.outChannels(),
            config.convOutKernel(),
            1,
            config.convOutKernel() / 2);
    this.parameters = p.all();
  }

  /**
   * Loads {@code unet/config.json} and {@code unet/diffusion_pytorch_model[.fp16].safetensors} from
   * a diffusers pipeline folder (or the same two files from a UNet folder itself); half-precision
   * weights are widened to float32 and live in a sub-manager of {@code manager}. Refuses a
   * checkpoint that lacks a tensor, has one of another shape, or holds tensors this config does not
   * use.
   */
  public static UNet2DConditionModel load(Path folder, NDManager manager) throws IOException {
    Path dir =
        Files.isRegularFile(folder.resolve("unet").resolve(CONFIG_FILE))
            ? folder.resolve("unet")
            : folder;
    Path configFile = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException(
          "No UNet config: neither "
              + folder.resolve("unet").resolve(CONFIG_FILE)
              + " nor "
              + configFile);
    }
    Path weights =
        WEIGHT_FILES.stream()
            .map(dir::resolve)
            .filter(Files::isRegularFile)
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException("No UNet weights " + WEIGHT_FILES + " in " + dir));
    UNet2DConditionConfig config = UNet2DConditionConfig.read(configFile);
    NDManager weightsManager = manager.newSubManager();
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      CheckpointParameters parameters = new CheckpointParameters(file, weightsManager);
      UNet2DConditionModel model = new UNet2DConditionModel(config, parameters);
      Set<String> unused = parameters.unused();
      if (!unused.isEmpty()) {
        throw new IllegalArgumentException(
            weights
                + " has "
                + unused.size()
                + " tensors that "
                + configFile
                + " does not describe (a config that does not match the weights?): "
                + abbreviate(unused));
      }
      return model;
    } catch (IOException | RuntimeException e) {
      weightsManager.close(); // a refused checkpoint must not keep gigabytes of weights alive
      throw e;
    }
  }

  private static String abbreviate(Set<String> names) {
    List<String> list = List.copyOf(names);
    return list.size() <= 10
        ? String.join(", ", list)
        : String.join(", ", list.subList(0, 10)) + ", … (" + (list.size() - 10) + " more)";
  }

  /**
   * Noise prediction [B, out_channels, H, W] for sample [B, in_channels, H, W], timestep [B] or a
   * scalar (int or float), encoderHiddenStates [B, T, cross_attention_dim].
   */
  public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
    return forward(sample, timestep, encoderHiddenStates, null);
  }

  /**
   * As {@link #forward(NDArray, NDArray, NDArray)}; when {@code intermediates} is given it receives
   * conv_in, time_proj, time_embedding, down_blocks.i, mid_block and up_blocks.i (each block's
   * hidden-state output), named as in the golden tests.
   */
  public NDArray forward(
      NDArray sample,
      NDArray timestep,
      NDArray encoderHiddenStates,
      Map<String, NDArray> intermediates) {
    checkSpatialSize(sample.getShape());
    long batch = sample.getShape().get(0);
    NDArray timesteps =
        timestep.getShape().dimension() == 0 || timestep.getShape().size() == 1
            ? timestep.reshape(1).broadcast(new Shape(batch))
            : timestep;

    NDArray tEmb = timeProj.forward(timesteps);
    NDArray emb = timeEmbedding.forward(tEmb);
    NDArray h = convIn.forward(sample);
    capture(intermediates, "time_proj", tEmb);
    capture(intermediates, "time_embedding", emb);
    capture(intermediates, "conv_in", h);

    Deque<NDArray> skips = new ArrayDeque<>();
    skips.push(h);
    for (int i = 0; i < downBlocks.size(); i++) {
      h = downBlocks.get(i).forward(h, emb, encoderHiddenStates, skips);
      capture(intermediates, "down_blocks." + i, h);
    }
    h = midBlock.forward(h, emb, encoderHiddenStates);
    capture(intermediates, "mid_block", h);
    for (int i = 0; i < upBlocks.size(); i++) {
      h = upBlocks.get(i).forward(h, emb, encoderHiddenStates, skips);
      capture(intermediates, "up_blocks." + i, h);
    }
    return convOut.forward(Activations.silu(convNormOut.forward(h)));
  }

  private void checkSpatialSize(Shape shape) {
    long factor = 1L << (config.blockOutChannels().size() - 1);
    if (shape.dimension() != 4
        || shape.get(1) != config.inChannels()
        || shape.get(2) % factor != 0
        || shape.get(3) % factor != 0) {
      throw new IllegalArgumentException(
          "sample must be [B, "
              + config.inChannels()
              + ", H, W] with H and W multiples of "
              + factor
              + ", got "
              + shape);
    }
  }

  private static void capture(Map<String, NDArray> intermediates, String name, NDArray value) {
    if (intermediates != null) {
      intermediates.put(name, value);
    }
  }

  public UNet2DConditionConfig config() {
    return config;
  }

  /** Every weight by its diffusers state dict name, in construction order. */
  public Map<String, NDArray> parameters() {
    return parameters;
  }

  public List<UNetDownBlock> downBlocks() {
    return List.copyOf(downBlocks);
  }

  public UNetMidBlock2DCrossAttn midBlock() {
    return midBlock;
  }

  public List<UNetUpBlock> upBlocks() {
    return List.copyOf(upBlocks);
  }
}
