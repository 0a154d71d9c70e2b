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
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/v1/jobs")
@Tag(name = "jobs", description = "Training (and later generation) jobs and their progress")
class JobController {

  private static final String STATES =
      Arrays.stream(JobState.values()).map(JobState::wireName).collect(Collectors.joining(", "));

  private final JobService jobs;
  private final List<JobHistory.Source> histories;
  private final JobEventStreams streams;

  JobController(JobService jobs, List<JobHistory.Source> histories, JobEventStreams streams) {
    this.jobs = jobs;
    this.histories = histories;
    this.streams = streams;
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

  /**
   * The job's events as Server-Sent Events: its history after {@code Last-Event-ID} (the header, or
   * the {@code lastEventId} parameter for clients that cannot set headers), then each new event as
   * it is committed, until the job ends. See docs/api.md, "Live progress (SSE)".
   */
  @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @Operation(
      summary = "Live progress: the job's events as Server-Sent Events",
      description =
          "Each event: `id:` the outbox id, `event:` queued, started, progress, succeeded, failed,"
              + " canceled or requeued, `data:` the outbox row's data (state, currentStep,"
              + " totalSteps, progress, etaSeconds, detail, attempts, crashes, cancelRequested,"
              + " error) with id, jobId, type, reason and createdAt. Comment lines are heartbeats."
              + " The stream ends after the terminal event.")
  @ApiResponse(responseCode = "200", description = "The event stream")
  @ApiResponse(responseCode = "429", description = "The tenant has too many open streams")
  @ApiResponse(responseCode = "503", description = "This instance serves too many streams")
  SseEmitter events(
      Tenant tenant,
      @PathVariable UUID id,
      @Parameter(description = "Resume after this event id (what EventSource sends on reconnect)")
          @RequestHeader(name = "Last-Event-ID", required = false)
          String lastEventIdHeader,
      @Parameter(description = "Resume after this event id; the Last-Event-ID header wins")
          @RequestParam(required = false)
          String lastEventId) {
    Job job = find(tenant, id);
    return streams.open(
        job, parseEventId(lastEventIdHeader != null ? lastEventIdHeader : lastEventId));
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

  private static long parseEventId(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      long id = Long.parseLong(value.strip());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw ApiProblem.invalidFields(
        List.of(
            new FieldProblem(
                "lastEventId",
                "must be an event id (an integer of 0 or more), got '" + value + "'")));
  }

  private static ApiProblem notFound(UUID id) {
    return ApiProblem.notFound("There is no job with id " + id + ".");
  }
}
