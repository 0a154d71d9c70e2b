package dev.dti.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Loads the configured base model once per device and keeps it: loading an SD-1.5 folder takes
 * seconds and gigabytes, so every job on a device shares one frozen copy.
 */
@Component
public class ModelRegistry {

  private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

  private final ModelProperties properties;
  private final Map<String, Loaded> byDevice = new ConcurrentHashMap<>();

  private record Loaded(NDManager manager, StableDiffusionModel model) {}

  public ModelRegistry(ModelProperties properties) {
    this.properties = properties;
    if (!available()) {
      log.warn(
          "No base model at {}: training and generation jobs wait in the queue until DTI_MODEL_DIR"
              + " names a diffusers-layout Stable Diffusion folder",
          properties.dir().toAbsolutePath());
    }
  }

  public ModelProperties properties() {
    return properties;
  }

  /**
   * Whether the configured folder exists (the service runs without one; jobs then fail clearly).
   */
  public boolean available() {
    return Files.isRegularFile(properties.dir().resolve("model_index.json"));
  }

  /** The model on {@code device} ("cpu", "gpu:0", …), loading it on first use. */
  public StableDiffusionModel get(String device) {
    if (!available()) {
      throw new ModelUnavailableException(
          "No base model at "
              + properties.dir().toAbsolutePath()
              + ": set DTI_MODEL_DIR to a diffusers-layout Stable Diffusion folder");
    }
    return byDevice.computeIfAbsent(device, this::load).model();
  }

  private Loaded load(String device) {
    long start = System.nanoTime();
    NDManager manager = NDManager.newBaseManager(toDjlDevice(device));
    try {
      StableDiffusionModel model = StableDiffusionModel.load(properties.dir(), manager);
      log.info(
          "Loaded model {} ({}) on {} in {} ms",
          properties.name(),
          model.id().substring(0, 12),
          device,
          (System.nanoTime() - start) / 1_000_000);
      return new Loaded(manager, model);
    } catch (IOException e) {
      manager.close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
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
