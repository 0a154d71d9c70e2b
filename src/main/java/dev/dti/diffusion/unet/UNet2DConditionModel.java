package dev.dti.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * diffusers' {@code UNet2DConditionModel} (SD 1.x/2.x/XL): predicts the noise in a latent from the
 * timestep and the text encoder's hidden states; an SDXL UNet (addition_embed_type "text_time")
 * also takes the pooled text embeddings and six time ids, whose embedding is added to the time
 * embedding (add_time_proj → add_embedding). Weights are looked up by their diffusers state dict
 * names and never require gradients, so back-propagation computes only what flows to the inputs
 * (the conditioning, for textual inversion).
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
  private final Timesteps addTimeProj;
  private final TimestepEmbedding addEmbedding;
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
    if (config.requiresAddedConditions()) {
      this.addTimeProj =
          new Timesteps(
              config.additionTimeEmbedDim(),
              config.flipSinToCos(),
              config.freqShift(),
              p.scalars());
      this.addEmbedding =
          new TimestepEmbedding(
              p.sub("add_embedding"),
              config.projectionClassEmbeddingsInputDim(),
              config.timeEmbedDim());
    } else {
      this.addTimeProj = null;
      this.addEmbedding = null;
    }
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
   * scalar (int or float), encoderHiddenStates [B, T, cross_attention_dim]. For a UNet without
   * added conditioning (SD 1.x/2.x); an SDXL UNet refuses this call.
   */
  public NDArray forward(NDArray sample, NDArray timestep, NDArray encoderHiddenStates) {
    return forward(sample, timestep, encoderHiddenStates, null, null, null);
  }

  /**
   * As {@link #forward(NDArray, NDArray, NDArray)}; when {@code intermediates} is given it receives
   * the values listed at {@link #forward(NDArray, NDArray, NDArray, NDArray, NDArray, Map)}.
   */
  public NDArray forward(
      NDArray sample,
      NDArray timestep,
      NDArray encoderHiddenStates,
      Map<String, NDArray> intermediates) {
    return forward(sample, timestep, encoderHiddenStates, null, null, intermediates);
  }

  /**
   * Noise prediction with SDXL's added conditioning: textEmbeds [B, pooled width] (text_encoder_2's
   * text_embeds) and timeIds [B, 6] ([orig_h, orig_w, crop_top, crop_left, target_h, target_w] in
   * pixels). Both must be null for a UNet without added conditioning and both given for one with
   * addition_embed_type "text_time" (see {@link UNet2DConditionConfig#requiresAddedConditions()}).
   */
  public NDArray forward(
      NDArray sample,
      NDArray timestep,
      NDArray encoderHiddenStates,
      NDArray textEmbeds,
      NDArray timeIds) {
    return forward(sample, timestep, encoderHiddenStates, textEmbeds, timeIds, null);
  }

  /**
   * As {@link #forward(NDArray, NDArray, NDArray, NDArray, NDArray)}; when {@code intermediates} is
   * given it receives, named as in the golden tests: conv_in, time_proj, time_embedding, with added
   * conditioning add_time_proj [B·6, addition_time_embed_dim], add_embeds, add_embedding and emb
   * (time_embedding + add_embedding), then down_blocks.i, down_block_res_samples.i (the skips, in
   * the order they are made), mid_block and up_blocks.i (each block's hidden-state output).
   */
  public NDArray forward(
      NDArray sample,
      NDArray timestep,
      NDArray encoderHiddenStates,
      NDArray textEmbeds,
      NDArray timeIds,
      Map<String, NDArray> intermediates) {
    checkSpatialSize(sample.getShape());
    long batch = sample.getShape().get(0);
    checkAddedConditions(batch, textEmbeds, timeIds);
    NDArray timesteps =
        timestep.getShape().dimension() == 0 || timestep.getShape().size() == 1
            ? timestep.reshape(1).broadcast(new Shape(batch))
            : timestep;

    NDArray tEmb = timeProj.forward(timesteps);
    NDArray emb = timeEmbedding.forward(tEmb);
    capture(intermediates, "time_proj", tEmb);
    capture(intermediates, "time_embedding", emb);
    if (addEmbedding != null) {
      // diffusers' "text_time": one sinusoid per time id, flattened per batch row after the text.
      NDArray timeEmbeds = addTimeProj.forward(timeIds.toType(DataType.FLOAT32, false).reshape(-1));
      NDArray addEmbeds = textEmbeds.concat(timeEmbeds.reshape(batch, -1), -1);
      NDArray augEmb = addEmbedding.forward(addEmbeds);
      capture(intermediates, "add_time_proj", timeEmbeds);
      capture(intermediates, "add_embeds", addEmbeds);
      capture(intermediates, "add_embedding", augEmb);
      emb = emb.add(augEmb);
      capture(intermediates, "emb", emb);
    }
    NDArray h = convIn.forward(sample);
    capture(intermediates, "conv_in", h);

    Deque<NDArray> skips = new ArrayDeque<>();
    skips.push(h);
    for (int i = 0; i < downBlocks.size(); i++) {
      h = downBlocks.get(i).forward(h, emb, encoderHiddenStates, skips);
      capture(intermediates, "down_blocks." + i, h);
    }
    if (intermediates != null) {
      Iterator<NDArray> made = skips.descendingIterator();
      for (int i = 0; made.hasNext(); i++) {
        intermediates.put("down_block_res_samples." + i, made.next());
      }
    }
    h = midBlock.forward(h, emb, encoderHiddenStates);
    capture(intermediates, "mid_block", h);
    for (int i = 0; i < upBlocks.size(); i++) {
      h = upBlocks.get(i).forward(h, emb, encoderHiddenStates, skips);
      capture(intermediates, "up_blocks." + i, h);
    }
    return convOut.forward(Activations.silu(convNormOut.forward(h)));
  }

  private void checkAddedConditions(long batch, NDArray textEmbeds, NDArray timeIds) {
    if (!config.requiresAddedConditions()) {
      if (textEmbeds != null || timeIds != null) {
        throw new IllegalArgumentException(
            "this UNet has no added conditioning (addition_embed_type is null, as in Stable"
                + " Diffusion 1.x/2.x): text_embeds and time_ids must not be given");
      }
      return;
    }
    if (textEmbeds == null || timeIds == null) {
      throw new IllegalArgumentException(
          "this is an SDXL UNet (addition_embed_type \"text_time\"): it needs text_embeds [B, "
              + config.addedTextEmbedsDim()
              + "] (the pooled output of text_encoder_2) and time_ids [B, 6] (original size, crop"
              + " top-left, target size), got "
              + (textEmbeds == null ? "no text_embeds" : "text_embeds")
              + " and "
              + (timeIds == null ? "no time_ids" : "time_ids"));
    }
    Shape text = textEmbeds.getShape();
    if (text.dimension() != 2
        || text.get(0) != batch
        || text.get(1) != config.addedTextEmbedsDim()) {
      throw new IllegalArgumentException(
          "text_embeds must be [" + batch + ", " + config.addedTextEmbedsDim() + "], got " + text);
    }
    Shape ids = timeIds.getShape();
    if (ids.dimension() != 2
        || ids.get(0) != batch
        || ids.get(1) != UNet2DConditionConfig.TIME_IDS) {
      throw new IllegalArgumentException(
          "time_ids must be ["
              + batch
              + ", 6] (original h, w, crop top, left, target h, w), got "
              + ids);
    }
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
