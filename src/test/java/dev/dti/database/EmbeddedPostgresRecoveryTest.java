package dev.dti.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresRecoveryTest {

  private final EmbeddedPostgresConfiguration configuration = new EmbeddedPostgresConfiguration();

  @Test
  void dataSurvivesACleanRestartAndTheDirectoryIsKept(@TempDir Path dataDir) throws Exception {
    var properties = new DatabaseProperties(dataDir, 0);
    try (EmbeddedPostgres first = configuration.embeddedPostgres(properties)) {
      execute(first, "CREATE TABLE kept (value text)", "INSERT INTO kept VALUES ('hello')");
    }
    assertThat(properties.postgresDir().resolve("PG_VERSION")).exists();
    try (EmbeddedPostgres second = configuration.embeddedPostgres(properties)) {
      assertThat(query(second, "SELECT value FROM kept")).containsExactly("hello");
    }
  }

  @Test
  void runsWithFsyncAndSynchronousCommitOn(@TempDir Path dataDir) throws Exception {
    try (EmbeddedPostgres postgres =
        configuration.embeddedPostgres(new DatabaseProperties(dataDir, 0))) {
      assertThat(query(postgres, "SHOW fsync")).containsExactly("on");
      assertThat(query(postgres, "SHOW synchronous_commit")).containsExactly("on");
    }
  }

  @Test
  void startsAgainAfterTheServiceWasKilledWithSigkill(@TempDir Path dataDir) throws Exception {
    Process child = startChild(dataDir, "written-before-kill-9");
    try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("READY")) {
        // skip PostgreSQL's start-up log
      }
      assertThat(line).isEqualTo("READY");
      child.destroyForcibly(); // SIGKILL: no shutdown hooks, the postmaster is orphaned
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

    try (EmbeddedPostgres restarted =
        configuration.embeddedPostgres(new DatabaseProperties(dataDir, 0))) {
      assertThat(query(restarted, "SELECT value FROM survivor"))
          .containsExactly("written-before-kill-9");
    }
  }

  private static Process startChild(Path dataDir, String value) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        List.of(
            java.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            EmbeddedDatabaseChild.class.getName(),
            dataDir.toString(),
            value);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static void execute(EmbeddedPostgres postgres, String... statements) throws Exception {
    try (var connection = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
        var statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private static List<String> query(EmbeddedPostgres postgres, String sql) throws Exception {
    try (var connection = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
        var statement = connection.createStatement();
        var rs = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }
}
