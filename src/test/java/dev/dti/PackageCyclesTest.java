package dev.dti;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The feature packages (the direct children of dev.dti, each with its sub-packages) import each
 * other without cycles. Read from the {@code import dev.dti.X} lines of src/main/java.
 */
class PackageCyclesTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/dti");
  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?dev\\.dti\\.([a-z0-9_]+)\\.", Pattern.MULTILINE);

  @Test
  void noFeaturePackageImportsOneThatImportsItBack() {
    Map<String, Set<String>> imports = imports();

    assertThat(imports).containsKeys("concept", "embedding", "generation", "training");
    assertThat(cycles(imports)).isEmpty();
  }

  @Test
  void aCycleIsNamedPackageByPackage() {
    Map<String, Set<String>> imports =
        Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));

    assertThat(cycles(imports)).containsExactly("a -> b -> c -> a");
  }

  /** Feature package → the feature packages its classes import. */
  static Map<String, Set<String>> imports() {
    Map<String, Set<String>> imports = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file);
        if (relative.getNameCount() < 2) {
          continue; // dev.dti itself (the application class) is not a feature package
        }
        String feature = relative.getName(0).toString();
        Set<String> targets = imports.computeIfAbsent(feature, f -> new TreeSet<>());
        Matcher matcher = IMPORT.matcher(Files.readString(file));
        while (matcher.find()) {
          if (!matcher.group(1).equals(feature)) {
            targets.add(matcher.group(1));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return imports;
  }

  /** Every cycle once, as "a -> b -> a", starting at its alphabetically first package. */
  static List<String> cycles(Map<String, Set<String>> imports) {
    Set<String> found = new TreeSet<>();
    for (String start : new TreeSet<>(imports.keySet())) {
      walk(start, start, new ArrayList<>(List.of(start)), imports, found);
    }
    return List.copyOf(found);
  }

  private static void walk(
      String start,
      String at,
      List<String> path,
      Map<String, Set<String>> imports,
      Set<String> found) {
    for (String next : imports.getOrDefault(at, Set.of())) {
      if (next.equals(start)) {
        found.add(String.join(" -> ", path) + " -> " + start);
      } else if (next.compareTo(start) > 0 && !path.contains(next)) {
        path.add(next);
        walk(start, next, path, imports, found);
        path.removeLast();
      }
    }
  }
}
