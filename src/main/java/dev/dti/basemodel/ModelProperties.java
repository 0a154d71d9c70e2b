package dev.dti.basemodel;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The base model the service personalizes.
 *
 * @param dir a diffusers-layout folder ({@code DTI_MODEL_DIR}); unset means the embedded default:
 *     the toy-world model that ships inside the jar, unpacked into {@code <data-dir>/models/toy-sd}
 *     at start-up
 * @param name how the API names this model
 */
@ConfigurationProperties("dti.model")
public record ModelProperties(Path dir, @DefaultValue("toy-sd") String name) {}
