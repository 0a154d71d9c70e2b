package dev.dti.security;

import dev.dti.support.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** An empty database on the test server, for tests of what happens on a first start. */
record FreshDatabase(String url, String username, String password) {

  static FreshDatabase create() {
    TestDatabase.Connection server = TestDatabase.get();
    String name = "fresh_" + UUID.randomUUID().toString().replace("-", "");
    JdbcClient.create(
            new DriverManagerDataSource(server.url(), server.username(), server.password()))
        .sql("CREATE DATABASE " + name)
        .update();
    int slash = server.url().lastIndexOf('/');
    int query = server.url().indexOf('?', slash);
    String url =
        server.url().substring(0, slash + 1)
            + name
            + (query < 0 ? "" : server.url().substring(query));
    return new FreshDatabase(url, server.username(), server.password());
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
