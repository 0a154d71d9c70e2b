package dev.dti.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksFileTest {

  @Test
  void createsTheFileWithATitleWhenMissing(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("docs/benchmarks.md");

    BenchmarksFile.replaceSection(file, "Judge", "| a |\n");

    assertThat(Files.readString(file)).isEqualTo("# Benchmarks\n\n## Judge\n\n| a |\n");
  }

  @Test
  void replacesOnlyItsOwnSectionAndKeepsTheOthers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("benchmarks.md");
    Files.writeString(
        file, "# Benchmarks\n\n## UNet\n\nfast\n\n## Judge\n\nold\nlines\n\n## VAE\n\nslow\n");

    BenchmarksFile.replaceSection(file, "Judge", "new");

    assertThat(Files.readString(file))
        .isEqualTo("# Benchmarks\n\n## UNet\n\nfast\n\n## Judge\n\nnew\n\n## VAE\n\nslow\n");
  }

  @Test
  void appendsItsSectionAfterTheOthers(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("benchmarks.md");
    Files.writeString(file, "# Benchmarks\n\n## UNet\n\nfast\n");

    BenchmarksFile.replaceSection(file, "Judge", "new");

    assertThat(Files.readString(file))
        .isEqualTo("# Benchmarks\n\n## UNet\n\nfast\n\n## Judge\n\nnew\n");
  }
}
