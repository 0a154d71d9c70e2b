package dev.dti.model;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The base model the service personalizes.
 *
 * @param dir a diffusers-layout folder ({@code DTI_MODEL_DIR}); the default is the toy-world model
 *     committed with the project, the embedded default
 * @param name how the API names this model
 */
@ConfigurationProperties("dti.model")
public record ModelProperties(
    @DefaultValue("models/toy-sd") Path dir, @DefaultValue("toy-sd") String name) {}
