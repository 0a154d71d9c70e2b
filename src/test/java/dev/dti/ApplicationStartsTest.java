package dev.dti;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

class ApplicationStartsTest extends IntegrationTest {

  @Autowired JdbcClient jdbc;

  @Test
  void flywayCreatesTheSchemaOnPostgreSql() {
    String version = jdbc.sql("select version()").query(String.class).single();
    assertThat(version).startsWith("PostgreSQL");
    Integer tables =
        jdbc.sql(
                "select count(*) from information_schema.tables where table_name in"
                    + " ('tenants','api_keys','concepts','concept_images','jobs','blobs','idempotency_keys')")
            .query(Integer.class)
            .single();
    assertThat(tables).isEqualTo(7);
  }
}
