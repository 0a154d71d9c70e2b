package dev.dti.basemodel;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code model} in {@code /actuator/health} and the readiness group: DOWN, with the loader's
 * sentence, while the configured base model cannot be used.
 */
@Component("model")
class ModelHealthIndicator implements HealthIndicator {

  private final ModelRegistry models;

  ModelHealthIndicator(ModelRegistry models) {
    this.models = models;
  }

  @Override
  public Health health() {
    return models
        .problem()
        .map(problem -> Health.down().withDetail("problem", problem).build())
        .orElseGet(
            () ->
                Health.up()
                    .withDetail("name", models.properties().name())
                    .withDetail("dir", models.dir().toString())
                    .build());
  }
}
