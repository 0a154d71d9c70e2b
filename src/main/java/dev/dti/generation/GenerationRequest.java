package dev.dti.generation;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The body of {@code POST /v1/generations}; absent fields take the defaults of {@link
 * GenerationProperties}.
 */
public record GenerationRequest(
    @Schema(
            description =
                "The prompt; concept tokens such as <my-rabbit> are the tenant's concepts",
            example = "a <my-rabbit> wearing a spacesuit",
            requiredMode = Schema.RequiredMode.REQUIRED)
        String prompt,
    @Schema(
            description =
                "Negative prompt (may use concept tokens too). For an SDXL model an absent one"
                    + " conditions the unconditional half on zeros, while \"\" is encoded",
            defaultValue = "")
        String negativePrompt,
    @Schema(description = "Sampling steps, 1 to dti.generation.max-steps", defaultValue = "25")
        Integer steps,
    @Schema(description = "Classifier-free guidance; ≤ 1 disables it", defaultValue = "7.5")
        Double guidanceScale,
    @Schema(description = "0 ≤ seed < 2^53; image i uses seed + i", defaultValue = "random")
        Long seed,
    @Schema(description = "Pixels; a multiple of the model's size step", defaultValue = "model")
        Integer width,
    @Schema(description = "Pixels; a multiple of the model's size step", defaultValue = "model")
        Integer height,
    @Schema(description = "1 to 4", defaultValue = "1") Integer numImages,
    @Schema(
            description =
                "The sampler: ddim (DDIM, with eta) or euler (Euler discrete); default ddim, euler"
                    + " for an SDXL model",
            allowableValues = {"ddim", "euler"},
            defaultValue = "ddim")
        String scheduler,
    @Schema(
            description = "DDIM η, 0 to 1 (0 is deterministic DDIM; euler ignores it)",
            defaultValue = "0")
        Double eta) {}
