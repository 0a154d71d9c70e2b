package dev.dti.training;

import dev.dti.concept.TrainingDefaults;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How training jobs run.
 *
 * @param checkpointEvery steps between checkpoints (rows, optimizer state and a snapshot clients
 *     can download by step)
 * @param progressEvery steps between progress writes to the job row
 * @param viewsPerImage augmented views (random crops) encoded per reference image
 * @param previewEvery steps between validation previews; 0 turns them off (the default on CPU)
 * @param previewPrompt the validation prompt; {@code {}} is replaced by the concept's token
 * @param previewSteps DDIM steps of a preview
 * @param tiWeightDecay AdamW weight decay of the TI baseline
 */
@ConfigurationProperties("dti.training")
public record TrainingProperties(
    @DefaultValue("50") int checkpointEvery,
    @DefaultValue("5") int progressEvery,
    @DefaultValue("4") int viewsPerImage,
    @DefaultValue("0") int previewEvery,
    @DefaultValue("a photo of {}") String previewPrompt,
    @DefaultValue("20") int previewSteps,
    @DefaultValue(TrainingDefaults.DEFAULT_TI_WEIGHT_DECAY_TEXT) double tiWeightDecay) {}
