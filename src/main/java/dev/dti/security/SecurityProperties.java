package dev.dti.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Keys given by configuration.
 *
 * @param apiKey API key of the development tenant {@code default} ({@code DTI_API_KEY}); when unset
 *     on the first start, one is generated and logged once
 * @param adminKey key of the admin API ({@code DTI_ADMIN_KEY}); the admin API is disabled when
 *     unset
 */
@ConfigurationProperties("dti.security")
public record SecurityProperties(String apiKey, String adminKey) {

  public boolean hasApiKey() {
    return apiKey != null && !apiKey.isBlank();
  }

  public boolean adminEnabled() {
    return adminKey != null && !adminKey.isBlank();
  }
}
