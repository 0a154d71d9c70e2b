package dev.dti.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL for the whole test JVM: a Testcontainers server where a Docker engine exists,
 * otherwise the embedded PostgreSQL 17 binaries in a throwaway directory.
 */
public final class TestDatabase {

  public record Connection(String url, String username, String password) {}

  private static Connection connection;

  private TestDatabase() {}

  /**
   * A new, empty database on the test server, named {@code prefix_<random>}: for a context whose
   * workers or senders must not meet the jobs and messages of the other test contexts.
   */
  public static Connection createDatabase(String prefix) {
    Connection server = get();
    String name = prefix + "_" + java.util.UUID.randomUUID().toString().replace("-", "");
    org.springframework.jdbc.core.simple.JdbcClient.create(
            new org.springframework.jdbc.datasource.DriverManagerDataSource(
                server.url(), server.username(), server.password()))
        .sql("CREATE DATABASE " + name)
        .update();
    int slash = server.url().lastIndexOf('/');
    int query = server.url().indexOf('?', slash);
    String url =
        server.url().substring(0, slash + 1)
            + name
            + (query < 0 ? "" : server.url().substring(query));
    return new Connection(url, server.username(), server.password());
  }

  public static synchronized Connection get() {
    if (connection == null) {
      connection = dockerAvailable() ? startContainer() : startEmbedded();
    }
    return connection;
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  @SuppressWarnings("resource") // lives as long as the test JVM
  private static Connection startContainer() {
    var container = new PostgreSQLContainer("postgres:17-alpine");
    container.start();
    return new Connection(container.getJdbcUrl(), container.getUsername(), container.getPassword());
  }

  private static Connection startEmbedded() {
    try {
      var dir = Files.createTempDirectory("dti-test-pg");
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(true)
              .setServerConfig("max_connections", "300")
              .start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      postgres.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting
                    }
                  }));
      return new Connection(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
