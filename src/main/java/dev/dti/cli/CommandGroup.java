package dev.dti.cli;

/** A family of jar commands ({@code java -jar dti-service.jar <name> ...}) that run and exit. */
public interface CommandGroup {

  /** The first command-line word that selects this group, e.g. {@code model}. */
  String name();

  /** One line for the jar's usage text. */
  String summary();

  /** Runs with the arguments after the group name; returns the process exit code. */
  int run(String[] args) throws Exception;
}
