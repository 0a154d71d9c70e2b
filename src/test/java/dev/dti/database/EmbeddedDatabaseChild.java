package dev.dti.database;

import java.nio.file.Path;
import java.sql.DriverManager;

/**
 * Runs in a child JVM for {@link EmbeddedPostgresRecoveryTest}: starts the embedded database on the
 * given directory, writes a row, prints READY and waits to be killed.
 */
public final class EmbeddedDatabaseChild {

  public static void main(String[] args) throws Exception {
    var config = new EmbeddedPostgresConfiguration();
    var postgres = config.embeddedPostgres(new DatabaseProperties(Path.of(args[0]), 0));
    try (var connection = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
        var statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS survivor (value text)");
      statement.execute("INSERT INTO survivor VALUES ('" + args[1] + "')");
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(120_000);
  }

  private EmbeddedDatabaseChild() {}
}
