package dev.dti.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.DtiApplication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code java -jar dti-service.jar tenant|key …} against the configured database. */
class CliTest {

  private static final Pattern KEY_ID = Pattern.compile("^key ([0-9a-f-]{36})$", Pattern.MULTILINE);
  private static final Pattern API_KEY =
      Pattern.compile("api key \\(shown only once\\): (dti_\\S+)");

  @Test
  void tenantCreateKeyCreateAndKeyRevoke() {
    FreshDatabase database = FreshDatabase.create();

    Run tenant = run(database, "tenant", "create", "acme");
    Run second = run(database, "key", "create", "acme");
    String secondKeyId = first(KEY_ID, second.output());
    Run revoke = run(database, "key", "revoke", secondKeyId);

    assertThat(tenant.exitCode()).isZero();
    assertThat(tenant.output()).startsWith("tenant ").contains(" acme\n");
    String firstKey = first(API_KEY, tenant.output());
    assertThat(second.exitCode()).isZero();
    assertThat(revoke.exitCode()).isZero();
    assertThat(revoke.output()).isEqualTo("revoked key " + secondKeyId + "\n");
    assertThat(activeKeyHashes(database)).containsExactly(ApiKeys.hash(firstKey));
    assertThat(
            database
                .jdbc()
                .sql("SELECT count(*) FROM tenants WHERE name = 'default'")
                .query(Long.class)
                .single())
        .as("the CLI does not bootstrap the default tenant")
        .isZero();
  }

  @Test
  void refusalsAndUsageErrorsExitNonZero() {
    FreshDatabase database = FreshDatabase.create();

    Run unknownKey = run(database, "key", "revoke", UUID.randomUUID().toString());
    Run usage = run(database, "key", "rotate");

    assertThat(unknownKey.exitCode()).isEqualTo(1);
    assertThat(unknownKey.output()).startsWith("error: There is no API key with id");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.output()).startsWith("usage: java -jar dti-service.jar tenant create NAME");
  }

  private record Run(int exitCode, String output) {}

  private static Run run(FreshDatabase database, String... args) {
    var out = new ByteArrayOutputStream();
    int exitCode =
        Cli.run(
            DtiApplication.class,
            database.arguments(args),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    return new Run(exitCode, out.toString(StandardCharsets.UTF_8));
  }

  private static String first(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    assertThat(matcher.find()).as(text).isTrue();
    return matcher.group(1);
  }

  private static List<String> activeKeyHashes(FreshDatabase database) {
    return database
        .jdbc()
        .sql("SELECT key_hash FROM api_keys WHERE revoked_at IS NULL")
        .query(String.class)
        .list();
  }
}
