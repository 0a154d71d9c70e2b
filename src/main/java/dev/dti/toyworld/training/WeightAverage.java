package dev.dti.toyworld.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.nn.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of weights with diffusers' EMAModel warm-up: decay min(maxDecay, (1 +
 * n) / (10 + n)) after n updates, so early averages follow the weights closely.
 */
public final class WeightAverage {

  private final Map<String, NDArray> weights;
  private final Map<String, NDArray> average = new LinkedHashMap<>();
  private final double maxDecay;
  private long updates;

  public WeightAverage(Map<String, NDArray> weights, NDManager manager, double maxDecay) {
    this.weights = weights;
    this.maxDecay = maxDecay;
    for (Map.Entry<String, NDArray> entry : weights.entrySet()) {
      NDArray copy = entry.getValue().duplicate();
      copy.attach(manager);
      average.put(entry.getKey(), copy);
    }
  }

  public void update() {
    updates++;
    double decay = Math.min(maxDecay, (1.0 + updates) / (10.0 + updates));
    try (NoGrad noGrad = new NoGrad();
        NDScope ignored = new NDScope()) {
      NDManager manager = average.values().iterator().next().getManager();
      NDArray keep = manager.full(new Shape(), (float) decay, DataType.FLOAT32);
      NDArray take = manager.full(new Shape(), (float) (1 - decay), DataType.FLOAT32);
      for (Map.Entry<String, NDArray> entry : average.entrySet()) {
        NDArray weight = weights.get(entry.getKey());
        entry.getValue().muli(keep).addi(weight.mul(take));
      }
    }
  }

  public Map<String, NDArray> average() {
    return average;
  }

  public long updates() {
    return updates;
  }

  public void restore(Map<String, NDArray> saved, long restoredUpdates) {
    for (Map.Entry<String, NDArray> entry : average.entrySet()) {
      WeightAdamW.copyInto(entry.getValue(), saved.get(entry.getKey()), entry.getKey());
    }
    this.updates = restoredUpdates;
  }
}
