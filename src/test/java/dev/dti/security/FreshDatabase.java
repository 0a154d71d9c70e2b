package dev.dti.security;

import dev.dti.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** An empty database on the test server, for tests of what happens on a first start. */
record FreshDatabase(String url, String username, String password) {

  static FreshDatabase create() {
    TestDatabase.Connection created = TestDatabase.createDatabase("fresh");
    return new FreshDatabase(created.url(), created.username(), created.password());
  }

  /**
   * Command-line arguments pointing the service at this database, followed by {@code extra} ones.
   * (Command-line properties override application.yml; default properties would not.)
   */
  String[] arguments(String... extra) {
    List<String> arguments = new ArrayList<>();
    arguments.add("--spring.datasource.url=" + url);
    arguments.add("--spring.datasource.username=" + username);
    arguments.add("--spring.datasource.password=" + password);
    arguments.addAll(List.of(extra));
    return arguments.toArray(String[]::new);
  }

  JdbcClient jdbc() {
    return JdbcClient.create(new DriverManagerDataSource(url, username, password));
  }
}
