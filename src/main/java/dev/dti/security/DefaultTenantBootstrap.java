package dev.dti.security;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Makes a fresh installation usable: on the first start (no tenant at all) it creates the tenant
 * {@value #DEFAULT_TENANT} with the key from {@code DTI_API_KEY}, or a generated key that is logged
 * once. On later starts a {@code DTI_API_KEY} that matches no stored key is added to that tenant.
 * Only a web server does this; the jar's command-line tools do not.
 */
@Component
@ConditionalOnWebApplication
class DefaultTenantBootstrap implements ApplicationRunner {

  static final String DEFAULT_TENANT = "default";

  private static final Logger log = LoggerFactory.getLogger(DefaultTenantBootstrap.class);

  private final TenantRepository tenants;
  private final TenantService service;
  private final SecurityProperties properties;
  private final TransactionTemplate transaction;

  DefaultTenantBootstrap(
      TenantRepository tenants,
      TenantService service,
      SecurityProperties properties,
      TransactionTemplate transaction) {
    this.tenants = tenants;
    this.service = service;
    this.properties = properties;
    this.transaction = transaction;
  }

  @Override
  public void run(ApplicationArguments args) {
    transaction.executeWithoutResult(
        status -> {
          tenants.lockBootstrap();
          if (!tenants.anyTenantExists()) {
            createDefaultTenant();
          } else if (properties.hasApiKey()) {
            addConfiguredKeyIfNew();
          }
        });
  }

  private void createDefaultTenant() {
    UUID tenantId = service.insertTenant(DEFAULT_TENANT).id();
    if (properties.hasApiKey()) {
      service.issueKey(tenantId, properties.apiKey(), "DTI_API_KEY");
      log.info("Created tenant '{}' with the API key from DTI_API_KEY", DEFAULT_TENANT);
      return;
    }
    IssuedKey key = service.issueKey(tenantId, ApiKeys.generate(), "generated at first start");
    log.warn(
        """

        ================================================================================
          First start: created tenant '{}' with this API key (shown only once):

              {}

          Use it as 'Authorization: Bearer <key>'. Set DTI_API_KEY to choose the key.
        ================================================================================
        """,
        DEFAULT_TENANT,
        key.key());
  }

  private void addConfiguredKeyIfNew() {
    if (tenants.keyHashExists(ApiKeys.hash(properties.apiKey()))) {
      return; // already stored; if it was revoked, the revocation stands
    }
    tenants
        .findTenantByName(DEFAULT_TENANT)
        .ifPresentOrElse(
            tenant -> {
              service.issueKey(tenant.id(), properties.apiKey(), "DTI_API_KEY");
              log.info("Added the key from DTI_API_KEY to tenant '{}'", DEFAULT_TENANT);
            },
            () ->
                log.warn(
                    "DTI_API_KEY is set but there is no tenant '{}' to add it to; ignoring it",
                    DEFAULT_TENANT));
  }
}
