package dev.dti.generation;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The body of {@code POST /v1/interpolations}: two concepts and a list of {@code t}, or two or more
 * concepts and a list of weight vectors; the sampling fields are those of {@link GenerationRequest}
 * (one image per point, all with the same seed).
 */
public record InterpolationRequest(
    @Schema(
            description = "Concept tokens to interpolate, in order",
            example = "[\"<my-rabbit>\", \"<my-cat>\"]",
            requiredMode = Schema.RequiredMode.REQUIRED)
        List<String> concepts,
    @Schema(description = "Points 0 ≤ t ≤ 1 from the first (0) to the second concept (1)")
        List<Double> t,
    @Schema(description = "Instead of t: one weight vector per point, one weight ≥ 0 per concept")
        List<List<Double>> weights,
    @Schema(
            description = "Prompt with a {} or {concept} slot for the interpolated embedding",
            example = "a photo of {} on the beach",
            requiredMode = Schema.RequiredMode.REQUIRED)
        String promptTemplate,
    String negativePrompt,
    Integer steps,
    Double guidanceScale,
    Long seed,
    Integer width,
    Integer height,
    @Schema(
            description =
                "The sampler: ddim (DDIM, with eta) or euler (Euler discrete); default ddim, euler"
                    + " for an SDXL model",
            allowableValues = {"ddim", "euler"},
            defaultValue = "ddim")
        String scheduler,
    Double eta) {}
