package dev.dti.diffusion.nn;

import ai.djl.ndarray.NDArray;

/** Activations built only from tensor-tensor ops and {@link Scalars} (safe under autograd). */
public final class Activations {

  private Activations() {}

  /** SiLU / swish: x·σ(x). */
  public static NDArray silu(NDArray x) {
    return x.mul(x.getNDArrayInternal().sigmoid());
  }

  /** Exact (erf) GELU, as torch's default. */
  public static NDArray gelu(NDArray x) {
    return x.getNDArrayInternal().gelu();
  }

  /** OpenAI CLIP's quick_gelu: x·σ(1.702x). */
  public static NDArray quickGelu(NDArray x, Scalars scalars) {
    return x.mul(x.mul(scalars.of(1.702f)).getNDArrayInternal().sigmoid());
  }

  public static NDArray byName(String name, NDArray x, Scalars scalars) {
    return switch (name) {
      case "quick_gelu" -> quickGelu(x, scalars);
      case "gelu" -> gelu(x);
      case "silu", "swish" -> silu(x);
      default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
    };
  }
}
