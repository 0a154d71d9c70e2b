package dev.dti.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Starts a persistent embedded PostgreSQL when no {@code spring.datasource.url} is configured.
 *
 * <p>The {@link JdbcConnectionDetails} bean is the same hook Testcontainers' service connections
 * use, so Hikari, Flyway and the health indicator work unchanged.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(NoExternalDatabaseCondition.class)
public class EmbeddedPostgresConfiguration {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres(DatabaseProperties properties) throws IOException {
    var dir = properties.postgresDir().toAbsolutePath().normalize();
    Files.createDirectories(dir);
    StalePostmaster.stopIfOrphaned(dir);
    log.info("Starting embedded PostgreSQL in {}", dir);
    return EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        // zonky's defaults delete the data directory on close and run without fsync:
        // both are wrong for a service whose queue and embeddings must survive a crash.
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "100")
        .setPort(properties.embeddedPort())
        // zonky's own shutdown hook would stop PostgreSQL in parallel with Spring's: the workers
        // could then not write their checkpoints or hand their jobs back on SIGTERM. Spring closes
        // this bean after every lifecycle (the worker pool included) has stopped.
        .setRegisterShutdownHook(false)
        .start();
  }

  @Bean
  JdbcConnectionDetails embeddedJdbcConnectionDetails(EmbeddedPostgres postgres) {
    return new JdbcConnectionDetails() {
      @Override
      public String getUsername() {
        return "postgres";
      }

      @Override
      public String getPassword() {
        return "postgres";
      }

      @Override
      public String getJdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
      }
    };
  }
}
