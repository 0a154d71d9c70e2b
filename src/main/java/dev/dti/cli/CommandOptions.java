package dev.dti.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code --name value} options of one jar command; every mistake is an {@link
 * IllegalArgumentException} carrying the usage text, which {@link Commands#run} prints as one line.
 */
public final class CommandOptions {

  private final Map<String, String> values;
  private final String usage;

  private CommandOptions(Map<String, String> values, String usage) {
    this.values = values;
    this.usage = usage;
  }

  /** Parses {@code args[from..]} as option pairs, refusing names not in {@code known}. */
  public static CommandOptions parse(String[] args, int from, Set<String> known, String usage) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = from; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --option value pairs\n" + usage);
      }
      String name = args[i].substring(2);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "\n" + usage);
      }
      values.put(name, args[i + 1]);
    }
    return new CommandOptions(values, usage);
  }

  public Optional<String> optional(String name) {
    return Optional.ofNullable(values.get(name));
  }

  public String required(String name) {
    return optional(name)
        .orElseThrow(() -> new IllegalArgumentException("missing --" + name + "\n" + usage));
  }

  public String string(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  public int integer(String name, int fallback) {
    return optional(name).map(v -> parse(name, v, Integer::parseInt)).orElse(fallback);
  }

  public int requiredInteger(String name) {
    return parse(name, required(name), Integer::parseInt);
  }

  public long longInteger(String name, long fallback) {
    return optional(name).map(v -> parse(name, v, Long::parseLong)).orElse(fallback);
  }

  public Optional<Double> decimal(String name) {
    return optional(name).map(v -> parse(name, v, Double::parseDouble));
  }

  private <T> T parse(String name, String value, Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " needs a number, not '" + value + "'");
    }
  }
}
