package dev.dti.concept;

import static dev.dti.concept.TrainingDefaults.*;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.springframework.web.multipart.MultipartFile;

/**
 * The multipart/form-data fields of {@code POST /v1/concepts}, as sent. Spring binds them (a
 * non-numeric {@code steps} is a 400 there); {@link ConceptRequestValidator} checks the rest.
 */
public record CreateConceptForm(
    @ArraySchema(
            arraySchema =
                @Schema(
                    description =
                        "The training images, PNG, JPEG or WebP (detected from the bytes, not"
                            + " the file name); each is turned upright by its EXIF orientation,"
                            + " downscaled to dti.upload.max-stored-side and stored as a PNG"
                            + " without metadata"),
            minItems = MIN_IMAGES,
            maxItems = MAX_IMAGES,
            schema = @Schema(type = "string", format = "binary"))
        List<MultipartFile> images,
    @Schema(
            description = "Display name",
            example = "Rabbit plush",
            minLength = 1,
            maxLength = MAX_NAME_LENGTH,
            requiredMode = Schema.RequiredMode.REQUIRED)
        String name,
    @Schema(
            description = "Placeholder token used in prompts; unique per tenant",
            example = "<my-rabbit>",
            pattern = TOKEN_REGEX,
            requiredMode = Schema.RequiredMode.REQUIRED)
        String token,
    @Schema(
            description = "Class word or phrase the embedding starts from",
            example = "rabbit",
            maxLength = MAX_INITIALIZER_LENGTH,
            pattern = INITIALIZER_REGEX,
            requiredMode = Schema.RequiredMode.REQUIRED)
        String initializer,
    @Schema(
            description = "Training method",
            allowableValues = {"dti", "ti"},
            defaultValue = "dti")
        String method,
    @Schema(
            description = "Optimization steps",
            minimum = "" + MIN_STEPS,
            maximum = "" + MAX_STEPS,
            defaultValue = "" + DEFAULT_STEPS)
        Integer steps,
    @Schema(
            description =
                "Learning rate, > 0 and finite; default "
                    + DEFAULT_LEARNING_RATE_DTI
                    + " for dti, "
                    + DEFAULT_LEARNING_RATE_TI
                    + " for ti",
            exclusiveMinimumValue = 0,
            maximum = "" + MAX_LEARNING_RATE,
            example = "" + DEFAULT_LEARNING_RATE_DTI)
        Double learningRate,
    @Schema(
            description = "Strength of DTI's prior towards the initializer direction (dti only)",
            minimum = "0",
            maximum = "" + MAX_KAPPA,
            defaultValue = "" + DEFAULT_KAPPA)
        Double kappa,
    @Schema(
            description = "Images per step",
            minimum = "" + MIN_BATCH_SIZE,
            maximum = "" + MAX_BATCH_SIZE,
            defaultValue = "" + DEFAULT_BATCH_SIZE)
        Integer batchSize,
    @Schema(description = "Random seed; a random one is chosen and returned when absent") Long seed,
    @Schema(
            description =
                "Number of embedding vectors; default: the number of tokens of the initializer",
            minimum = "" + MIN_VECTORS,
            maximum = "" + MAX_VECTORS)
        Integer numVectors,
    @Schema(
            description =
                "Multiply the learning rate by the batch size; default false, true for an SDXL base"
                    + " model (the DTI authors' SDXL script: 0.01 × batch 4 = 0.04 for dti)",
            defaultValue = "false")
        Boolean scaleLr,
    @Schema(
            description = "Prompt templates used in training",
            allowableValues = {"object", "style"},
            defaultValue = "object")
        String templates,
    @ArraySchema(
            arraySchema =
                @Schema(
                    description =
                        "Optional captions, one per image in the same order (repeat the field)"),
            schema = @Schema(maxLength = MAX_CAPTION_LENGTH, example = "my rabbit on a sofa"))
        List<String> captions) {}
