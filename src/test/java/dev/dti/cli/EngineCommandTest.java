package dev.dti.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EngineCommandTest {

  @Test
  void loadsPyTorchAndRunsOneOperationOnTheCpu() {
    var output = new ByteArrayOutputStream();
    var command = new EngineCommand(new PrintStream(output, true, StandardCharsets.UTF_8));

    assertThat(command.run(new String[] {})).isZero();

    assertThat(output.toString(StandardCharsets.UTF_8))
        .startsWith("DJL 0.33.0, PyTorch 2.5.1, natives in ")
        .contains("device cpu(): ones(2, 2).sum() = 4.0\n")
        .endsWith("GPUs: 0\n");
  }

  @Test
  void takesNoArguments() {
    assertThatThrownBy(() -> new EngineCommand().run(new String[] {"--x"}))
        .hasMessage("usage: engine   (takes no arguments)");
  }
}
