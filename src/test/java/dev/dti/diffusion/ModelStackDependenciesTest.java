package dev.dti.diffusion;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The model stack stands on its own: no source file under dev.dti.diffusion names a class of the
 * service (generation, training, concept, job, security, web, cli, model, …), by import or fully
 * qualified, so it can be read, tested and reused without the service.
 */
class ModelStackDependenciesTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/dti/diffusion");

  /** dev.dti.<package> where the package is not diffusion itself. */
  private static final Pattern SERVICE_NAME =
      Pattern.compile("\\bdev\\.dti\\.(?!diffusion\\b)\\w+");

  @Test
  void theDiffusionPackagesNameNothingOfTheService() throws IOException {
    List<String> violations = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path file : files) {
      List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = SERVICE_NAME.matcher(lines.get(i));
        while (m.find()) {
          violations.add(SOURCES.relativize(file) + ":" + (i + 1) + " names " + m.group());
        }
      }
    }

    assertThat(files).hasSizeGreaterThan(50);
    assertThat(violations).isEmpty();
  }
}
