package dev.dti.cli;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;

/** What a benchmark section says about where and under which load it was measured. */
public final class BenchmarkMachine {

  private BenchmarkMachine() {}

  /**
   * "Machine: 2 cores (nproc), <CPU>; measured <date>; DJL …, PyTorch … (CPU), Java …. Load average
   * (1/5/15 min) before: …, after: …" plus what a load above the core count means.
   */
  public static String describe(String loadBefore, String loadAfter) {
    return "Machine: "
        + Runtime.getRuntime().availableProcessors()
        + " cores (nproc), "
        + cpuModel()
        + "; measured "
        + LocalDate.now()
        + "; DJL "
        + Engine.getDjlVersion()
        + ", PyTorch "
        + Engine.getEngine("PyTorch").getVersion()
        + " (CPU), Java "
        + Runtime.version()
        + ". Load average (1/5/15 min) before: "
        + loadBefore
        + ", after: "
        + loadAfter
        + " — above the core count means other processes (other engineers' builds and tests, a"
        + " model training run) shared the CPU, so absolute times are upper bounds.";
  }

  public static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  /** /proc/loadavg's 1, 5 and 15 minute averages as "a/b/c". */
  public static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.join("/", Arrays.copyOf(fields, 3));
    } catch (IOException e) {
      return "unknown";
    }
  }

  public static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
