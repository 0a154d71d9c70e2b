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
 * AdamW over whole weight tensors, in torch.optim.AdamW's order, with the gradients clipped to a
 * global norm first:
 *
 * <pre>
 *   g ← g · min(1, c / ‖g‖)
 *   p ← p − lr·λ·p
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   p ← p − lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)
 * </pre>
 *
 * Runs after the GradientCollector has closed (autograd off), so the in-place updates of the leaves
 * are allowed; every constant is a native array created for the step. Gradients are zeroed after
 * the update because PyTorch accumulates them across backward passes.
 */
public final class WeightAdamW {

  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPSILON = 1e-8f;

  private final Map<String, NDArray> weights;
  private final float weightDecay;
  private final float clipNorm;
  private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
  private long steps;

  /** State arrays live in {@code stateManager}; {@code weights} must require gradients. */
  public WeightAdamW(
      Map<String, NDArray> weights, NDManager stateManager, float weightDecay, float clipNorm) {
    this.weights = weights;
    this.weightDecay = weightDecay;
    this.clipNorm = clipNorm;
    for (Map.Entry<String, NDArray> entry : weights.entrySet()) {
      Shape shape = entry.getValue().getShape();
      firstMoment.put(entry.getKey(), stateManager.zeros(shape, DataType.FLOAT32));
      secondMoment.put(entry.getKey(), stateManager.zeros(shape, DataType.FLOAT32));
    }
  }

  /** One update with learning rate {@code lr}; returns the gradient norm before clipping. */
  public double step(double lr) {
    steps++;
    double norm;
    try (NoGrad noGrad = new NoGrad();
        NDScope ignored = new NDScope()) {
      NDManager manager = weights.values().iterator().next().getManager();
      double squares = 0;
      for (NDArray weight : weights.values()) {
        NDArray g = weight.getGradient();
        squares += g.mul(g).sum().getFloat();
      }
      norm = Math.sqrt(squares);
      float clip = norm > clipNorm ? (float) (clipNorm / norm) : 1f;
      double correction1 = 1 - Math.pow(BETA1, steps);
      double correction2 = 1 - Math.pow(BETA2, steps);
      NDArray clipScale = scalar(manager, clip);
      NDArray decay = scalar(manager, 1 - lr * weightDecay);
      NDArray beta1 = scalar(manager, BETA1);
      NDArray oneMinusBeta1 = scalar(manager, 1 - BETA1);
      NDArray beta2 = scalar(manager, BETA2);
      NDArray oneMinusBeta2 = scalar(manager, 1 - BETA2);
      NDArray stepSize = scalar(manager, lr / correction1);
      NDArray secondCorrection = scalar(manager, 1 / correction2);
      NDArray epsilon = scalar(manager, EPSILON);
      NDArray zero = scalar(manager, 0);
      for (Map.Entry<String, NDArray> entry : weights.entrySet()) {
        NDArray weight = entry.getValue();
        NDArray gradient = weight.getGradient();
        NDArray g = gradient.mul(clipScale);
        NDArray m = firstMoment.get(entry.getKey());
        NDArray v = secondMoment.get(entry.getKey());
        weight.muli(decay);
        m.muli(beta1).addi(g.mul(oneMinusBeta1));
        v.muli(beta2).addi(g.mul(g).muli(oneMinusBeta2));
        NDArray denominator = v.mul(secondCorrection).sqrt().addi(epsilon);
        weight.subi(m.mul(stepSize).divi(denominator));
        gradient.muli(zero);
      }
    }
    return norm;
  }

  private static NDArray scalar(NDManager manager, double value) {
    return manager.full(new Shape(), (float) value, DataType.FLOAT32);
  }

  public long steps() {
    return steps;
  }

  /**
   * First and second moments under "m.NAME" and "v.NAME"; {@code forHalfPrecision} stores √v under
   * "r.NAME" instead, because v (≈ g², often below 1e-8) underflows float16 to 0, and a zero v
   * would turn the next step into m/ε. The caller owns the √v arrays.
   */
  public Map<String, NDArray> state(boolean forHalfPrecision) {
    Map<String, NDArray> state = new LinkedHashMap<>();
    firstMoment.forEach((name, array) -> state.put("m." + name, array));
    secondMoment.forEach(
        (name, array) -> {
          if (forHalfPrecision) {
            state.put("r." + name, array.sqrt());
          } else {
            state.put("v." + name, array);
          }
        });
    return state;
  }

  /** Restores moments (widened to float32) and the step count saved by {@link #state()}. */
  public void restore(Map<String, NDArray> state, long restoredSteps) {
    for (Map.Entry<String, NDArray> entry : firstMoment.entrySet()) {
      copyInto(entry.getValue(), state.get("m." + entry.getKey()), "m." + entry.getKey());
    }
    for (Map.Entry<String, NDArray> entry : secondMoment.entrySet()) {
      NDArray root = state.get("r." + entry.getKey());
      if (root != null) {
        NDArray wide = root.toType(DataType.FLOAT32, false);
        copyInto(entry.getValue(), wide.mul(wide), "r." + entry.getKey());
      } else {
        copyInto(entry.getValue(), state.get("v." + entry.getKey()), "v." + entry.getKey());
      }
    }
    this.steps = restoredSteps;
  }

  static void copyInto(NDArray target, NDArray source, String name) {
    if (source == null) {
      throw new IllegalArgumentException("optimizer state lacks " + name);
    }
    if (!source.getShape().equals(target.getShape())) {
      throw new IllegalArgumentException(
          "optimizer state "
              + name
              + " has shape "
              + source.getShape()
              + ", expected "
              + target.getShape());
    }
    try (NoGrad noGrad = new NoGrad()) {
      target.set(source.toType(DataType.FLOAT32, false).toFloatArray());
    }
  }
}
