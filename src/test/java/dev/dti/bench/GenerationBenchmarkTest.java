package dev.dti.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.TinyModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationBenchmarkTest {

  @Test
  void measuresImagesPerSecondOnAModelFolderAndRewritesOnlyItsSection(@TempDir Path dir)
      throws Exception {
    Path model = TinyModelFolder.create(dir.resolve("tiny"));
    Path doc = dir.resolve("benchmarks.md");
    Files.writeString(doc, "# Benchmarks\n\n## Queue\n\nclaims/s 900\n");

    GenerationBenchmark.main(
        new String[] {
          "--model",
          model.toString(),
          "--images",
          "1",
          "--steps",
          "1",
          "--sd-steps",
          "0",
          "--doc",
          doc.toString()
        });

    String text = Files.readString(doc);
    assertThat(text).startsWith("# Benchmarks\n\n## Queue\n\nclaims/s 900\n\n## Generation\n");
    assertThat(text)
        .contains("| images/s, default intra-op threads (32×32, 1 steps, guidance 7.5, 1 images")
        .contains("| images/s, 1 intra-op thread (32×32")
        .contains("| SD-1.5-sized sampling step | not measured in this run (`--sd-steps 0`) |")
        .contains("Load average (1/5/15 min) before: ");
  }
}
