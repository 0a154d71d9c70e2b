package dev.dti.diffusion.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd off on this thread for a block, like torch's {@code no_grad()}: in-place updates of
 * weights that require gradients are refused while it is on.
 *
 * <p>libtorch's grad mode is per thread and on by default. DJL switches it off only on the thread
 * that first creates the engine, and a {@code GradientCollector} restores what it found when it
 * closes, so on any other thread the mode is on outside a collector too. Code that updates weights
 * in place must not depend on which thread happened to start the engine.
 */
public final class NoGrad implements AutoCloseable {

  private final boolean before;

  public NoGrad() {
    before = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
  }

  @Override
  public void close() {
    JniUtils.setGradMode(before);
  }
}
