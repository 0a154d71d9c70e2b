package dev.dti.support;

import ai.djl.ndarray.NDArray;

/** max |actual − expected| over all elements, after checking the shapes agree. */
public final class MaxAbsError {

  private MaxAbsError() {}

  public static double of(NDArray actual, NDArray expected) {
    if (!actual.getShape().equals(expected.getShape())) {
      throw new AssertionError(
          "shape " + actual.getShape() + " != expected " + expected.getShape());
    }
    try (NDArray diff = actual.sub(expected).abs()) {
      return diff.max().getFloat();
    }
  }
}
