package dev.dti;

import dev.dti.cli.CommandGroup;
import dev.dti.cli.EngineCommand;
import dev.dti.cli.HealthCheck;
import dev.dti.cli.ModelCommands;
import dev.dti.security.Cli;
import dev.dti.toyworld.ToyWorldCommands;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The jar's command groups; with no matching first argument the service starts as usual. */
public final class Commands {

  private static final List<CommandGroup> GROUPS =
      List.of(
          new ToyWorldCommands(),
          new ModelCommands(),
          Cli.group("tenant", DtiApplication.class),
          Cli.group("key", DtiApplication.class),
          new EngineCommand(),
          new HealthCheck());

  private Commands() {}

  public static Optional<CommandGroup> find(String[] args) {
    if (args.length == 0) {
      return Optional.empty();
    }
    return GROUPS.stream().filter(g -> g.name().equals(args[0])).findFirst();
  }

  /**
   * Runs the selected group and returns its exit code; errors print one line, not a stack trace.
   */
  public static int run(CommandGroup group, String[] args) {
    try {
      return group.run(Arrays.copyOfRange(args, 1, args.length));
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("error: " + e);
      return 1;
    }
  }

  public static String usage() {
    var text = new StringBuilder("Commands:\n");
    for (CommandGroup group : GROUPS) {
      text.append("  ").append(group.name()).append("  ").append(group.summary()).append('\n');
    }
    return text.toString();
  }
}
