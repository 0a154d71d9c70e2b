package dev.dti.job;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The roles this process plays, from {@code dti.roles} ({@code DTI_ROLES}): a comma-separated list
 * of {@code api} (serve HTTP) and {@code worker} (run jobs); both by default. Scale them apart by
 * running pods with {@code DTI_ROLES=api} and {@code DTI_ROLES=worker}.
 */
public final class ServiceRoles {

  public static final String PROPERTY = "dti.roles";
  public static final String API = "api";
  public static final String WORKER = "worker";
  public static final List<String> DEFAULT = List.of(API, WORKER);

  private ServiceRoles() {}

  /** The configured roles; fails on an empty list or an unknown name, which is surely a typo. */
  public static Set<String> of(Environment environment) {
    List<String> configured =
        Binder.get(environment).bind(PROPERTY, Bindable.listOf(String.class)).orElse(DEFAULT);
    Set<String> roles = new LinkedHashSet<>();
    for (String role : configured) {
      String name = role.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (!name.equals(API) && !name.equals(WORKER)) {
        throw new IllegalStateException(
            "Unknown role '%s' in %s: use api, worker or both".formatted(role, PROPERTY));
      }
      roles.add(name);
    }
    if (roles.isEmpty()) {
      throw new IllegalStateException(PROPERTY + " must name at least one role: api, worker");
    }
    return roles;
  }
}
