package dev.dti.basemodel;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dti.database.DatabaseProperties;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured base model: its folder is checked once at start-up (every config read, the
 * tokenizer built, the weight files found), then the model is loaded once per device and kept:
 * loading an SD-1.5 folder takes seconds and gigabytes, so every job on a device shares one frozen
 * copy.
 *
 * <p>A folder that is missing or cannot be loaded is a configuration error, not a passing one: the
 * loader's sentence is logged, reported by the readiness probe ({@link ModelHealthIndicator}),
 * answered as 503 to requests that need the model, and fails the jobs that need it at once.
 */
@Component
public class ModelRegistry {

  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

  private final ModelProperties properties;
  private final Path dir;
  private final Map<String, Loaded> byDevice = new ConcurrentHashMap<>();
  private volatile String problem;

  private record Loaded(NDManager manager, StableDiffusionModel model) {}

  public ModelRegistry(ModelProperties properties, DatabaseProperties storage) {
    this.properties = properties;
    this.dir =
        properties.dir() != null
            ? properties.dir().toAbsolutePath().normalize()
            : BundledModel.unpack(storage.dataDir());
    this.problem = check(dir);
    if (problem == null) {
      log.info(
          "Base model {} at {}{}",
          properties.name(),
          dir,
          properties.dir() == null ? " (the embedded default, unpacked from the jar)" : "");
    } else {
      log.error("The base model cannot be used: {}", problem);
    }
  }

  public ModelProperties properties() {
    return properties;
  }

  /** The model folder in use: the configured one, or the unpacked embedded default. */
  public Path dir() {
    return dir;
  }

  /**
   * Why the model cannot be used, as a sentence for the person who configured it; empty if fine.
   */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  /** Throws {@link ModelUnavailableException} with the reason if the model cannot be used. */
  public void requireUsable() {
    String reason = problem;
    if (reason != null) {
      throw new ModelUnavailableException(reason);
    }
  }

  /** The model on {@code device} ("cpu", "gpu:0", …), loading it on first use. */
  public StableDiffusionModel get(String device) {
    requireUsable();
    return byDevice.computeIfAbsent(device, this::load).model();
  }

  private Loaded load(String device) {
    long start = System.nanoTime();
    NDManager manager = NDManager.newBaseManager(toDjlDevice(device));
    try {
      StableDiffusionModel model = StableDiffusionModel.load(dir, manager);
      log.info(
          "Loaded model {} ({}) on {} in {} ms",
          properties.name(),
          model.id().substring(0, 12),
          device,
          (System.nanoTime() - start) / 1_000_000);
      return new Loaded(manager, model);
    } catch (IOException | RuntimeException e) {
      manager.close();
      problem = sentence(dir, e);
      log.error("The base model cannot be used: {}", problem, e);
      throw new ModelUnavailableException(problem);
    }
  }

  /** Null when the folder passes every check a load makes before reading weights. */
  private static String check(Path dir) {
    if (!Files.isRegularFile(dir.resolve("model_index.json"))) {
      return "No base model at "
          + dir
          + ": set DTI_MODEL_DIR to a diffusers-layout Stable Diffusion folder.";
    }
    try {
      StableDiffusionModel.check(dir);
      return null;
    } catch (IOException | RuntimeException e) {
      return sentence(dir, e);
    }
  }

  private static String sentence(Path dir, Exception e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return "The model folder " + dir + " cannot be loaded: " + reason.strip();
  }

  /** "cpu" → CPU; "gpu:N" → CUDA device N (needs the cuda build profile and a driver). */
  public static Device toDjlDevice(String device) {
    if (device.equals("cpu")) {
      return Device.cpu();
    }
    if (device.startsWith("gpu:")) {
      return Device.gpu(Integer.parseInt(device.substring(4)));
    }
    throw new IllegalArgumentException("unknown device '" + device + "': use cpu or gpu:N");
  }

  @PreDestroy
  void close() {
    byDevice.values().forEach(loaded -> loaded.manager().close());
    byDevice.clear();
  }
}
