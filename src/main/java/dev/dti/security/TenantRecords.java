package dev.dti.security;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Views of tenants and their keys as the admin API shows them (never the key itself). */
public final class TenantRecords {

  private TenantRecords() {}

  public record TenantView(UUID id, String name, Instant createdAt, List<KeyView> keys) {}

  public record KeyView(
      UUID id, UUID tenantId, String prefix, String label, Instant createdAt, Instant revokedAt) {}

  public record CreatedTenant(TenantView tenant, IssuedKey key) {}
}
