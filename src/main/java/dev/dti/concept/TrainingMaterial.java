package dev.dti.concept;

import java.util.List;
import java.util.UUID;

/**
 * What a training job reads of its concept: the placeholder, the initializer, the settings and the
 * reference images in upload order with their captions (null where none was given).
 */
public record TrainingMaterial(
    UUID conceptId,
    UUID tenantId,
    String token,
    String initializer,
    Hyperparameters hyperparameters,
    List<byte[]> images,
    List<String> captions) {}
