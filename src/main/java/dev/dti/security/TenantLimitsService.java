package dev.dti.security;

import dev.dti.security.TenantLimits.Policy;
import dev.dti.security.TenantLimitsRepository.StoredOverrides;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The limits in force for a tenant, and what the admin API changes about them. */
@Service
public class TenantLimitsService {

  /**
   * What {@code GET /v1/admin/tenants/{id}/limits} answers: the stored overrides and the result.
   */
  public record LimitsView(UUID tenantId, LimitOverrides overrides, TenantLimits effective) {}

  private final LimitsProperties defaults;
  private final TenantLimitsRepository overrides;
  private final TenantRepository tenants;

  TenantLimitsService(
      LimitsProperties defaults, TenantLimitsRepository overrides, TenantRepository tenants) {
    this.defaults = defaults;
    this.overrides = overrides;
    this.tenants = tenants;
  }

  /** The defaults with the tenant's overrides applied (one primary-key read). */
  public TenantLimits effective(UUID tenantId) {
    return overrides
        .find(tenantId)
        .map(stored -> merge(tenantId, stored))
        .orElseGet(() -> merge(tenantId, new StoredOverrides(LimitOverrides.NONE, 0)));
  }

  public LimitsView view(UUID tenantId) {
    requireTenant(tenantId);
    StoredOverrides stored =
        overrides.find(tenantId).orElse(new StoredOverrides(LimitOverrides.NONE, 0));
    return new LimitsView(tenantId, stored.overrides(), merge(tenantId, stored));
  }

  /** Replaces the tenant's overrides; it takes effect with the tenant's next request. */
  @Transactional
  public LimitsView replace(UUID tenantId, LimitOverrides requested) {
    LimitOverrides given = requested == null ? LimitOverrides.NONE : requested;
    List<FieldProblem> errors = given.errors();
    if (!errors.isEmpty()) {
      throw ApiProblem.invalidFields(errors);
    }
    requireTenant(tenantId);
    StoredOverrides stored = overrides.save(tenantId, given);
    return new LimitsView(tenantId, stored.overrides(), merge(tenantId, stored));
  }

  private void requireTenant(UUID tenantId) {
    tenants
        .findTenant(tenantId)
        .orElseThrow(() -> ApiProblem.notFound("There is no tenant with id " + tenantId + "."));
  }

  private TenantLimits merge(UUID tenantId, StoredOverrides stored) {
    LimitOverrides o = stored.overrides();
    return new TenantLimits(
        tenantId,
        policy(
            o.trainingQuota(),
            o.trainingWindowSeconds(),
            defaults.trainingQuota(),
            defaults.trainingWindow()),
        policy(
            o.generationQuota(),
            o.generationWindowSeconds(),
            defaults.generationQuota(),
            defaults.generationWindow()),
        policy(o.readQuota(), o.readWindowSeconds(), defaults.readQuota(), defaults.readWindow()),
        o.maxUnfinishedTrainingJobs() == null
            ? defaults.maxUnfinishedTrainingJobs()
            : o.maxUnfinishedTrainingJobs(),
        stored.version());
  }

  private static Policy policy(
      Integer quota, Integer windowSeconds, int defaultQuota, Duration defaultWindow) {
    return new Policy(
        quota == null ? defaultQuota : quota,
        windowSeconds == null ? defaultWindow.toSeconds() : windowSeconds);
  }
}
