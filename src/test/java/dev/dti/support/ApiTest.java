package dev.dti.support;

import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient.Response;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * Base of the HTTP API tests: one shared context with small upload limits and an admin key. Each
 * test creates its own tenants, so tests never see each other's data.
 */
@TestPropertySource(
    properties = {
      "dti.upload.max-image-bytes=300KB",
      "dti.upload.max-total-bytes=1MB",
      "dti.upload.max-pixels-per-side=1024",
      "dti.security.admin-key=" + ApiTest.ADMIN_KEY
    })
public abstract class ApiTest extends IntegrationTest {

  public static final String ADMIN_KEY = "admin-key-for-tests-0123456789";

  /** A tenant made for one test, with its clear API key. */
  public record TestTenant(UUID id, String key, UUID keyId) {}

  /** What a tenant has stored. */
  public record Rows(long concepts, long images, long blobs, long jobs, long idempotencyKeys) {}

  @LocalServerPort int port;
  @Autowired protected JdbcClient jdbc;
  @Autowired TenantService tenantService;

  protected ApiClient api;

  @BeforeEach
  void apiClient() {
    api = new ApiClient(port);
  }

  protected TestTenant newTenant() {
    CreatedTenant created = tenantService.createTenant("test-" + UUID.randomUUID());
    return new TestTenant(created.tenant().id(), created.key().key(), created.key().id());
  }

  protected Rows rows(TestTenant tenant) {
    return new Rows(
        count("SELECT count(*) FROM concepts WHERE tenant_id = :t", tenant),
        count(
            "SELECT count(*) FROM concept_images i JOIN concepts c ON c.id = i.concept_id"
                + " WHERE c.tenant_id = :t",
            tenant),
        count("SELECT count(*) FROM blobs WHERE tenant_id = :t", tenant),
        count("SELECT count(*) FROM jobs WHERE tenant_id = :t", tenant),
        count("SELECT count(*) FROM idempotency_keys WHERE tenant_id = :t", tenant));
  }

  /** A valid create form with two small images; tests change one thing at a time. */
  protected static Multipart validConcept(String token) {
    return new Multipart()
        .image("one.png", TestImages.png(64, 48))
        .image("two.jpg", TestImages.jpeg(40, 30))
        .field("name", "Rabbit plush")
        .field("token", token)
        .field("initializer", "rabbit");
  }

  protected Response createConcept(TestTenant tenant, String token) {
    return api.postMultipart("/v1/concepts", tenant.key(), validConcept(token));
  }

  private long count(String sql, TestTenant tenant) {
    return jdbc.sql(sql).param("t", tenant.id()).query(Long.class).single();
  }
}
