package dev.dti.job;

import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code dti.roles} includes {@code worker} (see {@link ServiceRoles}). */
public class WorkerRoleCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    Set<String> roles = ServiceRoles.of(context.getEnvironment());
    return roles.contains(ServiceRoles.WORKER)
        ? ConditionOutcome.match("dti.roles " + roles + " includes worker")
        : ConditionOutcome.noMatch("dti.roles " + roles + " does not include worker");
  }
}
