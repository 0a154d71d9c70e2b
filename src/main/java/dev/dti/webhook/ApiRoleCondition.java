package dev.dti.webhook;

import dev.dti.job.ServiceRoles;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code dti.roles} includes {@code api} (see {@link ServiceRoles}). */
class ApiRoleCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    Set<String> roles = ServiceRoles.of(context.getEnvironment());
    return roles.contains(ServiceRoles.API)
        ? ConditionOutcome.match("dti.roles " + roles + " includes api")
        : ConditionOutcome.noMatch("dti.roles " + roles + " does not include api");
  }
}
