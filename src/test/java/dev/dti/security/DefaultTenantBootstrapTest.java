package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.DtiApplication;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** Starts the service (without job workers) on empty databases, as on a first installation. */
@ExtendWith(OutputCaptureExtension.class)
class DefaultTenantBootstrapTest {

  private static final Pattern LOGGED_KEY = Pattern.compile("\\s(dti_[A-Za-z0-9_-]{32})\\s");

  @Test
  void theFirstStartCreatesTheDefaultTenantWithAGeneratedKeyLoggedOnce(CapturedOutput output) {
    FreshDatabase database = FreshDatabase.create();

    start(database);
    Matcher logged = LOGGED_KEY.matcher(output.getOut());
    assertThat(logged.find()).as("the key is logged").isTrue();
    String key = logged.group(1);
    int logLength = output.getOut().length();
    start(database);

    assertThat(output.getOut().substring(logLength)).doesNotContain(key).doesNotContain("dti_");
    assertThat(defaultTenantKeyHashes(database)).containsExactly(ApiKeys.hash(key));
    assertThat(tenantNames(database)).containsExactly("default");
  }

  @Test
  void dtiApiKeyIsTheFirstKeyAndANewOneIsAddedOnALaterStart(CapturedOutput output) {
    FreshDatabase database = FreshDatabase.create();

    start(database, "--dti.security.api-key=dti_first-configured-key");
    start(database, "--dti.security.api-key=dti_second-configured-key");
    start(database, "--dti.security.api-key=dti_second-configured-key");

    assertThat(defaultTenantKeyHashes(database))
        .containsExactly(
            ApiKeys.hash("dti_first-configured-key"), ApiKeys.hash("dti_second-configured-key"));
    assertThat(output.getOut()).doesNotContain("shown only once");
  }

  private static void start(FreshDatabase database, String... properties) {
    new SpringApplicationBuilder(DtiApplication.class)
        .web(WebApplicationType.SERVLET)
        .run(database.arguments(concat(properties, "--server.port=0", "--dti.roles=api")))
        .close();
  }

  private static String[] concat(String[] first, String... more) {
    return Stream.concat(Arrays.stream(first), Arrays.stream(more)).toArray(String[]::new);
  }

  private static List<String> defaultTenantKeyHashes(FreshDatabase database) {
    return database
        .jdbc()
        .sql(
            "SELECT k.key_hash FROM api_keys k JOIN tenants t ON t.id = k.tenant_id"
                + " WHERE t.name = 'default' AND k.revoked_at IS NULL ORDER BY k.created_at")
        .query(String.class)
        .list();
  }

  private static List<String> tenantNames(FreshDatabase database) {
    return database.jdbc().sql("SELECT name FROM tenants").query(String.class).list();
  }
}
