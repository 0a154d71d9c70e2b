package dev.dti.security;

import dev.dti.security.TenantLimitsService.LimitsView;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantRecords.TenantView;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import dev.dti.web.RequestFingerprint;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Tenant, key and limit administration; authorized by the admin key ({@code DTI_ADMIN_KEY}). */
@RestController
@RequestMapping("/v1/admin")
@Tag(
    name = "admin",
    description = "Tenants, API keys and per-tenant limits; needs the admin key as bearer token")
class AdminController {

  record CreateTenantRequest(@Schema(example = "acme") String name) {}

  record CreateKeyRequest(@Schema(example = "ci pipeline") String label) {}

  private final TenantService tenants;
  private final TenantLimitsService limits;
  private final Idempotency idempotency;
  private final JsonMapper json;

  AdminController(
      TenantService tenants, TenantLimitsService limits, Idempotency idempotency, JsonMapper json) {
    this.tenants = tenants;
    this.limits = limits;
    this.idempotency = idempotency;
    this.json = json;
  }

  @PostMapping("/tenants")
  @Operation(
      summary = "Create a tenant and its first API key (the key is shown only here)",
      description =
          "Send an Idempotency-Key to make retries safe: a retry with the same key answers the"
              + " same tenant and key.")
  @ApiResponse(
      responseCode = "201",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON_VALUE,
              schema = @Schema(implementation = CreatedTenant.class)))
  ResponseEntity<String> createTenant(
      @RequestBody CreateTenantRequest request,
      @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
      HttpServletRequest http) {
    return idempotency.executeAsAdmin(
        idempotencyKey,
        RequestFingerprint.of(http, json.writeValueAsString(request)),
        () -> new Created(HttpStatus.CREATED, null, tenants.createTenant(request.name())));
  }

  @GetMapping("/tenants")
  @Operation(summary = "List tenants with their keys (prefixes only)")
  PageResponse<TenantView> listTenants(
      @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "" + PageRequest.DEFAULT_SIZE) int size) {
    return tenants.page(PageRequest.of(page, size));
  }

  @PostMapping("/tenants/{tenantId}/keys")
  @Operation(
      summary = "Create another API key for a tenant (the key is shown only here)",
      description = "Send an Idempotency-Key to make retries safe.")
  @ApiResponse(
      responseCode = "201",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON_VALUE,
              schema = @Schema(implementation = IssuedKey.class)))
  ResponseEntity<String> createKey(
      @PathVariable UUID tenantId,
      @RequestBody(required = false) CreateKeyRequest request,
      @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
      HttpServletRequest http) {
    return idempotency.executeAsAdmin(
        idempotencyKey,
        RequestFingerprint.of(http, request == null ? "" : json.writeValueAsString(request)),
        () ->
            new Created(
                HttpStatus.CREATED,
                null,
                tenants.createKey(tenantId, request == null ? null : request.label())));
  }

  @GetMapping("/tenants/{tenantId}/limits")
  @Operation(summary = "A tenant's rate limits and cap: its overrides and the limits in force")
  LimitsView limits(@PathVariable UUID tenantId) {
    return limits.view(tenantId);
  }

  @PutMapping("/tenants/{tenantId}/limits")
  @Operation(
      summary =
          "Replace a tenant's overrides of the configured limits (null or absent: the default);"
              + " in force from the tenant's next request")
  LimitsView replaceLimits(@PathVariable UUID tenantId, @RequestBody LimitOverrides overrides) {
    return limits.replace(tenantId, overrides);
  }

  @DeleteMapping("/keys/{keyId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Revoke an API key; requests with it answer 401 from now on")
  void revokeKey(@PathVariable UUID keyId) {
    tenants.revokeKey(keyId);
  }
}
