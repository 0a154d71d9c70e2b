package dev.dti.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.LibUtils;
import java.io.PrintStream;

/**
 * {@code engine}: loads the PyTorch engine, runs one operation on every device it sees and prints
 * the versions, the native library folder and the GPU count. Loading extracts the bundled natives
 * (about 430 MB on CPU) into {@code ENGINE_CACHE_DIR} when they are not there yet, so an image
 * build runs it once to ship them pre-extracted; on a GPU host it shows whether the container sees
 * the GPUs.
 */
public final class EngineCommand implements CommandGroup {

  private final PrintStream out;

  public EngineCommand() {
    this(System.out);
  }

  EngineCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public String name() {
    return "engine";
  }

  @Override
  public String summary() {
    return "load PyTorch, print its versions, native folder and GPUs (extracts the natives)";
  }

  @Override
  public int run(String[] args) {
    if (args.length != 0) {
      throw new IllegalArgumentException("usage: engine   (takes no arguments)");
    }
    Engine engine = Engine.getEngine("PyTorch");
    out.println(
        "DJL "
            + Engine.getDjlVersion()
            + ", PyTorch "
            + engine.getVersion()
            + ", natives in "
            + LibUtils.getLibtorchPath());
    for (var device : engine.getDevices()) {
      try (NDManager manager = engine.newBaseManager(device)) {
        float sum = manager.ones(new Shape(2, 2)).sum().getFloat();
        out.println("device " + device + ": ones(2, 2).sum() = " + sum);
      }
    }
    out.println("GPUs: " + engine.getGpuCount());
    return 0;
  }
}
