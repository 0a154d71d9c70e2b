package dev.dti.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.GaussianNoise;
import dev.dti.diffusion.scheduler.Scheduler;
import dev.dti.diffusion.scheduler.SchedulerConfig;
import dev.dti.diffusion.scheduler.SchedulerType;
import dev.dti.diffusion.unet.UNet2DConditionModel;
import dev.dti.diffusion.vae.AutoencoderKL;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Text-to-image sampling as diffusers' StableDiffusionPipeline (and StableDiffusionXLPipeline,
 * whose UNet also takes the pooled text embeddings and time ids of each half of the guidance
 * batch), with the {@link Scheduler} the settings name (DDIM or Euler) built from the model's
 * scheduler config:
 *
 * <pre>
 *   x_T ~ N(0, 1) from the seed, times init_noise_sigma
 *   for t in timesteps:  x_in = scale_model_input(x_t, t)
 *                        ε_u, ε_c = unet([x_in, x_in], t, [uncond, cond])    (one batch of 2)
 *                        ε = ε_u + w·(ε_c − ε_u)                              (classifier-free guidance)
 *                        x_t = scheduler step(ε, t, x_t)                      (DDIM: with η)
 *   image = vae.decode(x_0 / scaling_factor) / 2 + 0.5, clamped to [0, 1]
 * </pre>
 *
 * The same model, prompt embeddings and settings give the same pixels on the same device.
 */
public final class TextToImage {

  private TextToImage() {}

  /**
   * Encodes the prompts with the model's tokenizers and text encoders, then samples one image. A
   * null {@code negativePrompt} means none was given: SD 1.x/2.x encode {@code ""} for it, SDXL
   * conditions on zeros when its index sets force_zeros_for_empty_prompt.
   */
  public static BufferedImage generate(
      StableDiffusionModel model,
      String prompt,
      String negativePrompt,
      GenerationSettings settings) {
    return generate(model, Map.of(), prompt, negativePrompt, settings);
  }

  /**
   * As {@link #generate(StableDiffusionModel, String, String, GenerationSettings)}, with learned
   * rows for the placeholder tokens of {@code concepts} (token → text encoder name → rows) injected
   * into both prompts.
   */
  public static BufferedImage generate(
      StableDiffusionModel model,
      Map<String, Map<String, float[][]>> concepts,
      String prompt,
      String negativePrompt,
      GenerationSettings settings) {
    try (NDManager manager = NDManager.newBaseManager()) {
      TextConditioning prompts = model.textConditioning(concepts, manager);
      return generate(
          model.unet(),
          model.vae(),
          model.schedulerConfig(),
          prompts.encode(prompt, manager),
          prompts.encodeNegative(negativePrompt, manager),
          settings);
    }
  }

  /**
   * Samples one image from the conditioning of the prompt and of the negative prompt (hidden states
   * [1, T, cross_attention_dim], e.g. with learned token rows already injected; for SDXL also the
   * pooled text embeddings [1, P]), with a new scheduler of {@code settings.scheduler()} built from
   * {@code schedulerConfig} (when the settings name none: Euler for SDXL conditioning, as diffusers
   * ships SDXL, else DDIM). SDXL conditioning without time ids gets the pipeline's defaults for the
   * image size ({@link AddTimeIds#of}).
   */
  public static BufferedImage generate(
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      SchedulerConfig schedulerConfig,
      Conditioning cond,
      Conditioning uncond,
      GenerationSettings settings) {
    int scale = vae.config().scaleFactor();
    if (settings.width() % scale != 0 || settings.height() % scale != 0) {
      throw new IllegalArgumentException(
          "width and height must be multiples of "
              + scale
              + ", got "
              + settings.width()
              + "×"
              + settings.height());
    }
    boolean xl = cond.textEmbeds() != null;
    try (NDManager manager = NDManager.newBaseManager()) {
      if (xl) {
        cond = withDefaultTimeIds(cond, settings, manager);
        uncond = withDefaultTimeIds(uncond, settings, manager);
      }
      GaussianNoise noise = new GaussianNoise(settings.seed());
      Shape latentShape =
          new Shape(
              1,
              vae.config().latentChannels(),
              settings.height() / scale,
              settings.width() / scale);
      SchedulerType type =
          settings.scheduler() != null
              ? settings.scheduler()
              : xl ? SchedulerType.EULER : SchedulerType.DDIM;
      Scheduler scheduler = type.create(schedulerConfig, settings.eta());
      scheduler.setTimesteps(settings.steps());
      NDArray initialNoise = noise.next(manager, latentShape);
      NDArray latents =
          denoise(
              unet, scheduler, cond, uncond, initialNoise, noise, settings.guidanceScale(), null);
      NDArray image = vae.decode(latents.div(scalar(manager, vae.scalingFactor())));
      return Images.fromDecoded(image).get(0);
    }
  }

  /**
   * One step of the loop as {@link #denoise} saw it. The arrays live only during the callback.
   *
   * @param modelInput the UNet's input (both halves when guided)
   * @param unetOutput the UNet's output, rows [uncond, cond] when guided
   * @param noisePred the guided noise prediction
   * @param latents the latents after the scheduler step
   */
  public record DenoisingStep(
      int index,
      NDArray timestep,
      NDArray modelInput,
      NDArray unetOutput,
      NDArray noisePred,
      NDArray latents) {}

  /**
   * The sampling loop: x_T = initialNoise · init_noise_sigma, then one guided UNet pass and one
   * scheduler step per timestep of {@code scheduler} (already given its steps). Conditioning with
   * pooled text embeddings must carry its time ids. {@code stepNoise} feeds the scheduler's
   * stochastic terms (DDIM with η > 0). {@code observer}, when not null, sees every step. Returns
   * x_0 in the manager of {@code initialNoise}.
   */
  public static NDArray denoise(
      UNet2DConditionModel unet,
      Scheduler scheduler,
      Conditioning cond,
      Conditioning uncond,
      NDArray initialNoise,
      GaussianNoise stepNoise,
      double guidanceScale,
      Consumer<DenoisingStep> observer) {
    NDManager manager = initialNoise.getManager();
    NDArray latents = initialNoise.mul(scalar(manager, scheduler.initNoiseSigma()));
    // diffusers skips the unconditional half when guidance_scale <= 1.
    boolean guided = guidanceScale > 1;
    Conditioning conditioning = guided ? Conditioning.batch(uncond, cond) : cond;
    if (guided) {
      attach(conditioning, manager); // freed with the latents, not with the caller's embeddings
    }
    NDArray guidance = scalar(manager, guidanceScale);
    NDArray timesteps = scheduler.timesteps(manager);
    int steps = Math.toIntExact(timesteps.size());
    for (int i = 0; i < steps; i++) {
      try (NDScope scope = new NDScope()) {
        NDArray t = timesteps.get(i); // a scalar: the UNet broadcasts it over the batch
        NDArray modelInput = scheduler.scaleModelInput(latents, i);
        NDArray eps;
        NDArray input = modelInput;
        NDArray output;
        if (guided) {
          input = NDArrays.concat(new NDList(modelInput, modelInput), 0);
          output = predict(unet, input, t, conditioning);
          NDList halves = output.split(2, 0);
          NDArray uncondEps = halves.get(0);
          eps = uncondEps.add(halves.get(1).sub(uncondEps).mul(guidance));
        } else {
          output = predict(unet, modelInput, t, conditioning);
          eps = output;
        }
        NDArray next = scheduler.step(eps, i, latents, stepNoise).prevSample();
        if (observer != null) {
          observer.accept(new DenoisingStep(i, t, input, output, eps, next));
        }
        NDScope.unregister(next);
        latents.close();
        latents = next;
      }
    }
    return latents;
  }

  private static NDArray predict(
      UNet2DConditionModel unet, NDArray input, NDArray t, Conditioning conditioning) {
    return conditioning.hasAddedConditions()
        ? unet.forward(
            input,
            t,
            conditioning.hiddenStates(),
            conditioning.textEmbeds(),
            conditioning.timeIds())
        : unet.forward(input, t, conditioning.hiddenStates());
  }

  private static Conditioning withDefaultTimeIds(
      Conditioning conditioning, GenerationSettings settings, NDManager manager) {
    if (conditioning.timeIds() != null) {
      return conditioning;
    }
    int batch = Math.toIntExact(conditioning.hiddenStates().getShape().get(0));
    return conditioning.withTimeIds(
        AddTimeIds.of(settings.height(), settings.width()).toArray(manager, batch));
  }

  private static void attach(Conditioning conditioning, NDManager manager) {
    conditioning.hiddenStates().attach(manager);
    if (conditioning.textEmbeds() != null) {
      conditioning.textEmbeds().attach(manager);
    }
    if (conditioning.timeIds() != null) {
      conditioning.timeIds().attach(manager);
    }
  }

  private static NDArray scalar(NDManager manager, double value) {
    return manager.full(new Shape(), (float) value, DataType.FLOAT32);
  }
}
