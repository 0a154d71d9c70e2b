package dev.dti.job.api;

import java.util.List;
import java.util.UUID;

/**
 * A training job's curves, downsampled for drawing: the loss and the mean embedding norm at the
 * given steps (at most {@link #MAX_POINTS} points).
 */
public record JobHistory(List<Integer> steps, List<Float> loss, List<Float> norm) {

  public static final int MAX_POINTS = 200;

  /** Supplies the history of a job, if its kind keeps one. */
  public interface Source {
    java.util.Optional<JobHistory> history(UUID jobId);
  }

  /** Keeps every k-th point (and the last) so that at most {@link #MAX_POINTS} remain. */
  public static JobHistory downsample(float[] loss, float[] norm) {
    int n = Math.min(loss.length, norm.length);
    int stride = Math.max(1, (n + MAX_POINTS - 1) / MAX_POINTS);
    List<Integer> steps = new java.util.ArrayList<>();
    List<Float> losses = new java.util.ArrayList<>();
    List<Float> norms = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % stride == stride - 1 || i == n - 1) {
        steps.add(i + 1);
        losses.add(loss[i]);
        norms.add(norm[i]);
      }
    }
    return new JobHistory(steps, losses, norms);
  }
}
