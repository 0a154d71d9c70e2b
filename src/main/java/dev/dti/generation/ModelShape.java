package dev.dti.generation;

import dev.dti.diffusion.pipeline.StableDiffusionModel;

/**
 * What the request bounds depend on in the model: its resolution (unet sample_size × VAE scale
 * factor; 512 for SD 1.5), the step sizes must be multiples of (VAE scale factor × the UNet's
 * downsampling, 2^(blocks − 1): 8 × 8 = 64 for SD 1.5), the token-embedding width and the scheduler
 * a request without one samples with (ddim; euler for SDXL).
 */
record ModelShape(
    int resolution, int sizeMultiple, int maxSide, int embeddingDim, String defaultScheduler) {

  /** diffusers' UNet2DConditionModel has no default sample_size; SD 1.x and 2.x-base use 64. */
  static final int SAMPLE_SIZE_WHEN_UNSET = 64;

  static ModelShape of(StableDiffusionModel model, int maxSizeFactor) {
    int scale = model.vae().config().scaleFactor();
    var unet = model.unet().config();
    int sample = unet.sampleSize() == null ? SAMPLE_SIZE_WHEN_UNSET : unet.sampleSize();
    int resolution = sample * scale;
    int multiple = scale * (1 << (unet.blockOutChannels().size() - 1));
    return new ModelShape(
        resolution,
        multiple,
        resolution * maxSizeFactor,
        model.textEncoder().config().hiddenSize(),
        model.defaultScheduler().id());
  }
}
