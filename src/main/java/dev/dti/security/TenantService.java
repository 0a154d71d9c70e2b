package dev.dti.security;

import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantRecords.KeyView;
import dev.dti.security.TenantRecords.TenantView;
import dev.dti.security.TenantRepository.TenantRow;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tenants and their API keys: authentication, and what the admin API and CLI do. */
@Service
public class TenantService {

  /** Tenant names: 1–100 letters, digits, spaces, dots, underscores or dashes. */
  public static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$");

  public static final int MAX_LABEL_LENGTH = 100;

  private static final String FIRST_KEY_LABEL = "first key";

  private final TenantRepository tenants;

  public TenantService(TenantRepository tenants) {
    this.tenants = tenants;
  }

  public Optional<Tenant> authenticate(String presentedKey) {
    return tenants.findByActiveKeyHash(ApiKeys.hash(presentedKey));
  }

  /** Creates a tenant and its first key. */
  @Transactional
  public CreatedTenant createTenant(String name) {
    TenantRow row = insertTenant(name);
    IssuedKey key = issueKey(row.id(), ApiKeys.generate(), FIRST_KEY_LABEL);
    return new CreatedTenant(view(row, List.of(keyView(key, FIRST_KEY_LABEL))), key);
  }

  /** Creates a tenant without any key (the bootstrap adds the configured one). */
  @Transactional
  TenantRow insertTenant(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem(
                  "name",
                  "must be 1–100 letters, digits, spaces, '.', '_' or '-', starting with a letter"
                      + " or digit")));
    }
    if (tenants.findTenantByName(name).isPresent()) {
      throw ApiProblem.conflict(
          "A tenant named '" + name + "' already exists.", new FieldProblem("name", "is taken"));
    }
    try {
      return tenants.insertTenant(UUID.randomUUID(), name);
    } catch (DuplicateKeyException e) {
      throw ApiProblem.conflict("A tenant named '" + name + "' already exists.");
    }
  }

  @Transactional
  public IssuedKey createKey(UUID tenantId, String label) {
    if (label != null && label.length() > MAX_LABEL_LENGTH) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem("label", "must be at most " + MAX_LABEL_LENGTH + " characters")));
    }
    tenants.findTenant(tenantId).orElseThrow(() -> unknownTenant(tenantId));
    return issueKey(tenantId, ApiKeys.generate(), label);
  }

  /** Stores a key whose clear text is already known (generated here or given by configuration). */
  @Transactional
  public IssuedKey issueKey(UUID tenantId, String clearKey, String label) {
    KeyView stored =
        tenants.insertKey(
            UUID.randomUUID(),
            tenantId,
            ApiKeys.hash(clearKey),
            ApiKeys.shownPrefix(clearKey),
            label);
    return new IssuedKey(stored.id(), tenantId, clearKey, stored.prefix(), stored.createdAt());
  }

  /** Revokes a key; revoking a revoked key changes nothing. */
  @Transactional
  public KeyView revokeKey(UUID keyId) {
    return tenants
        .revokeKey(keyId)
        .orElseThrow(() -> ApiProblem.notFound("There is no API key with id " + keyId + "."));
  }

  public PageResponse<TenantView> page(PageRequest request) {
    List<TenantRow> rows = tenants.pageTenants(request.size(), request.offset());
    Map<UUID, List<KeyView>> keys =
        tenants.keysOf(rows.stream().map(TenantRow::id).toList()).stream()
            .collect(Collectors.groupingBy(KeyView::tenantId));
    List<TenantView> items =
        rows.stream().map(row -> view(row, keys.getOrDefault(row.id(), List.of()))).toList();
    return request.response(items, tenants.countTenants());
  }

  private static TenantView view(TenantRow row, List<KeyView> keys) {
    return new TenantView(row.id(), row.name(), row.createdAt(), keys);
  }

  private static KeyView keyView(IssuedKey key, String label) {
    return new KeyView(key.id(), key.tenantId(), key.prefix(), label, key.createdAt(), null);
  }

  private static ApiProblem unknownTenant(UUID tenantId) {
    return ApiProblem.notFound("There is no tenant with id " + tenantId + ".");
  }
}
