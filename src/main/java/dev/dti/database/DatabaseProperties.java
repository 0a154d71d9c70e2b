package dev.dti.database;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the service keeps its state when no external PostgreSQL is configured.
 *
 * @param dataDir root of everything the service writes locally ({@code DTI_DATA_DIR}, default
 *     {@code ./data}); the embedded PostgreSQL cluster lives in {@code <dataDir>/postgres}
 * @param embeddedPort port of the embedded server; 0 picks a free one at each start
 */
@ConfigurationProperties("dti")
public record DatabaseProperties(
    @DefaultValue("./data") Path dataDir, @DefaultValue("0") int embeddedPort) {

  public Path postgresDir() {
    return dataDir.resolve("postgres");
  }
}
