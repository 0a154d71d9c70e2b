package dev.dti.job.api;

import dev.dti.job.Job;
import dev.dti.job.JobService;
import dev.dti.job.JobState;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/jobs")
@Tag(name = "jobs", description = "Training (and later generation) jobs and their progress")
class JobController {

  private static final String STATES =
      Arrays.stream(JobState.values()).map(JobState::wireName).collect(Collectors.joining(", "));

  private final JobService jobs;
  private final List<JobHistory.Source> histories;

  JobController(JobService jobs, List<JobHistory.Source> histories) {
    this.jobs = jobs;
    this.histories = histories;
  }

  @GetMapping("/{id}")
  @Operation(summary = "A job with its progress")
  JobView get(Tenant tenant, @PathVariable UUID id) {
    Job job = find(tenant, id);
    JobHistory history =
        histories.stream()
            .map(source -> source.history(job.id()))
            .flatMap(java.util.Optional::stream)
            .findFirst()
            .orElse(null);
    return JobView.of(job, history);
  }

  @GetMapping
  @Operation(summary = "List jobs, newest first, optionally of one state")
  PageResponse<JobView> list(
      Tenant tenant,
      @Parameter(
              schema =
                  @Schema(
                      allowableValues = {"queued", "running", "succeeded", "failed", "canceled"}))
          @RequestParam(required = false)
          String state,
      @Parameter(description = "0-based page number") @RequestParam(defaultValue = "0") int page,
      @Parameter(description = "Items per page, 1–" + PageRequest.MAX_SIZE)
          @RequestParam(defaultValue = "" + PageRequest.DEFAULT_SIZE)
          int size) {
    JobState filter = parseState(state);
    PageRequest request = PageRequest.of(page, size);
    List<JobView> items =
        jobs.page(tenant.id(), filter, request.size(), request.offset()).stream()
            .map(JobView::of)
            .toList();
    return request.response(items, jobs.count(tenant.id(), filter));
  }

  /**
   * A queued job is canceled at once; a running one gets {@code cancelRequested} and stops at its
   * next step; canceling a canceled job changes nothing. A job that already succeeded or failed
   * cannot be canceled: 409.
   */
  @PostMapping("/{id}/cancel")
  @Operation(summary = "Cancel a queued or running job")
  @ApiResponse(responseCode = "409", description = "The job already succeeded or failed")
  JobView cancel(Tenant tenant, @PathVariable UUID id) {
    Job job = find(tenant, id);
    if (job.state() == JobState.SUCCEEDED || job.state() == JobState.FAILED) {
      throw ApiProblem.conflict(
          "Job " + id + " already " + job.state().wireName() + "; it can no longer be canceled.");
    }
    return JobView.of(jobs.cancel(tenant.id(), id).orElseThrow(() -> notFound(id)));
  }

  private Job find(Tenant tenant, UUID id) {
    return jobs.find(tenant.id(), id).orElseThrow(() -> notFound(id));
  }

  private static JobState parseState(String state) {
    if (state == null || state.isBlank()) {
      return null;
    }
    return Arrays.stream(JobState.values())
        .filter(s -> s.wireName().equals(state))
        .findFirst()
        .orElseThrow(
            () ->
                ApiProblem.invalidFields(
                    List.of(
                        new FieldProblem(
                            "state", "unknown state '" + state + "'; allowed: " + STATES))));
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("There is no job with id " + id + ".");
  }
}
