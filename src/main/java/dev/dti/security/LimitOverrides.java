package dev.dti.security;

import dev.dti.web.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant's own limits, each replacing its {@code dti.limits.*} default; null keeps the default.
 * Windows are in seconds.
 */
public record LimitOverrides(
    @Schema(example = "50") Integer trainingQuota,
    @Schema(example = "3600") Integer trainingWindowSeconds,
    Integer generationQuota,
    Integer generationWindowSeconds,
    Integer readQuota,
    Integer readWindowSeconds,
    @Schema(example = "40") Integer maxUnfinishedTrainingJobs) {

  public static final int MAX_QUOTA = 1_000_000;
  public static final int MAX_WINDOW_SECONDS = 30 * 24 * 3600;

  static final LimitOverrides NONE = new LimitOverrides(null, null, null, null, null, null, null);

  List<FieldProblem> errors() {
    List<FieldProblem> errors = new ArrayList<>();
    quota("trainingQuota", trainingQuota, errors);
    window("trainingWindowSeconds", trainingWindowSeconds, errors);
    quota("generationQuota", generationQuota, errors);
    window("generationWindowSeconds", generationWindowSeconds, errors);
    quota("readQuota", readQuota, errors);
    window("readWindowSeconds", readWindowSeconds, errors);
    quota("maxUnfinishedTrainingJobs", maxUnfinishedTrainingJobs, errors);
    return errors;
  }

  private static void quota(String field, Integer value, List<FieldProblem> errors) {
    if (value != null && (value < 1 || value > MAX_QUOTA)) {
      errors.add(new FieldProblem(field, "must be between 1 and " + MAX_QUOTA + " (or null)"));
    }
  }

  private static void window(String field, Integer value, List<FieldProblem> errors) {
    if (value != null && (value < 1 || value > MAX_WINDOW_SECONDS)) {
      errors.add(
          new FieldProblem(
              field, "must be between 1 and " + MAX_WINDOW_SECONDS + " seconds (or null)"));
    }
  }
}
