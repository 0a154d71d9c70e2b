package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.clip.CLIPTextModel;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.nn.CheckpointParameters;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.diffusion.nn.Scalars;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import dev.dti.diffusion.vae.AutoencoderKLConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The three trainable networks of the toy base model, built from one seed or from a folder. */
public record ToyModel(
    ToyModelArchitecture architecture,
    AutoencoderKL vae,
    CLIPTextModel textEncoder,
    UNet2DConditionModel unet,
    Map<String, NDArray> vaeWeights,
    Scalars scalars) {

  /** Freshly initialised networks; each draws from its own seeded stream. */
  public static ToyModel initialize(
      ToyModelArchitecture architecture, NDManager manager, long seed) {
    var vaeParameters = new InitializedParameters(manager, ToyData.mix(seed ^ 0x5641450000L));
    var textParameters = new InitializedParameters(manager, ToyData.mix(seed ^ 0x434c495000L));
    var unetParameters = new InitializedParameters(manager, ToyData.mix(seed ^ 0x554e455400L));
    return new ToyModel(
        architecture,
        new AutoencoderKL(vaeParameters, architecture.vae()),
        new CLIPTextModel(textParameters, architecture.textEncoder()),
        new UNet2DConditionModel(architecture.unet(), unetParameters),
        vaeParameters.all(),
        new Scalars(manager));
  }

  /** Loads the three networks of a diffusers folder written by {@link ToyModelFolder}. */
  public static ToyModel load(Path folder, NDManager manager) throws IOException {
    Path vaeFolder = folder.resolve("vae");
    AutoencoderKLConfig vaeConfig = AutoencoderKLConfig.read(vaeFolder.resolve("config.json"));
    Map<String, NDArray> vaeWeights;
    AutoencoderKL vae;
    try (SafetensorsFile file =
        SafetensorsFile.open(vaeFolder.resolve(ToyModelFolder.VAE_WEIGHTS))) {
      CheckpointParameters parameters = new CheckpointParameters(file, manager);
      vae = new AutoencoderKL(parameters, vaeConfig);
      vaeWeights = parameters.all();
    }
    CLIPTextModel text = CLIPTextModel.fromPretrained(folder.resolve("text_encoder"), manager);
    UNet2DConditionModel unet = UNet2DConditionModel.load(folder, manager);
    ToyModelArchitecture architecture =
        new ToyModelArchitecture(
            "loaded", vae.config(), text.config(), unet.config(), ToyModelArchitecture.SCHEDULER);
    return new ToyModel(architecture, vae, text, unet, vaeWeights, new Scalars(manager));
  }

  /** What stage 2 trains: text encoder and UNet weights, prefixed "text_encoder." and "unet.". */
  public Map<String, NDArray> diffusionWeights() {
    Map<String, NDArray> weights = new java.util.LinkedHashMap<>();
    textEncoder.parameters().forEach((name, array) -> weights.put("text_encoder." + name, array));
    unet.parameters().forEach((name, array) -> weights.put("unet." + name, array));
    return weights;
  }

  public static void requireGradients(Map<String, NDArray> weights, boolean required) {
    for (NDArray weight : weights.values()) {
      weight.setRequiresGradient(required);
    }
  }

  public static long count(Map<String, NDArray> weights) {
    return weights.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }
}
