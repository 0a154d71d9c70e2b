package dev.dti.model;

import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * True when {@code dti.model.dir} holds a diffusers model folder. Handlers of model work exist only
 * then; without a model their jobs wait in the queue (an API-only deployment has no model).
 */
public class ModelAvailableCondition implements Condition {

  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    String dir = context.getEnvironment().getProperty("dti.model.dir", "models/toy-sd");
    return Files.isRegularFile(Path.of(dir).resolve("model_index.json"));
  }
}
