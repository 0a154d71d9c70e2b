package dev.dti.webhook;

import dev.dti.generation.GenerationReads;
import dev.dti.job.Job;
import dev.dti.job.JobEvent;
import dev.dti.job.JobKinds;
import dev.dti.job.JobService;
import dev.dti.job.JobState;
import dev.dti.job.PayloadValues;
import dev.dti.job.api.JobView;
import dev.dti.webhook.WebhookRepository.Cursor;
import dev.dti.webhook.WebhookRepository.OutboxEvent;
import dev.dti.webhook.WebhookRepository.ProgressMark;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fans the {@code job_events} outbox out to webhook messages. Each batch runs in one transaction
 * that locks the cursor row ({@code FOR UPDATE}), so replicas take turns and never fan an event out
 * twice; the messages and the advanced cursor commit together, so a crash loses nothing and repeats
 * nothing.
 *
 * <p>{@code job.progress} is throttled per job: a progress event becomes a message when the job
 * advanced 10 % or 5 s (of event time) since its last one.
 */
class JobEventDispatcher implements SmartLifecycle {

  static final int BATCH = 200;
  static final double PROGRESS_STEP = 0.1;
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

  private final WebhookRepository webhooks;
  private final WebhookService service;
  private final JobService jobs;
  private final GenerationReads generations;
  private final TransactionTemplate transactions;
  private final JsonMapper json;
  private final Runnable afterDispatch;
  private final PollLoop loop;

  JobEventDispatcher(
      WebhookRepository webhooks,
      WebhookService service,
      JobService jobs,
      GenerationReads generations,
      TransactionTemplate transactions,
      JsonMapper json,
      Duration pollInterval,
      Runnable afterDispatch) {
    this.webhooks = webhooks;
    this.service = service;
    this.jobs = jobs;
    this.generations = generations;
    this.transactions = transactions;
    this.json = json;
    this.afterDispatch = afterDispatch;
    this.loop = new PollLoop("webhook-dispatcher", pollInterval, () -> dispatchBatch() == BATCH);
  }

  /** One batch: returns how many events it read (a full batch means more may be waiting). */
  int dispatchBatch() {
    int[] messages = {0};
    Integer read =
        transactions.execute(
            status -> {
              Cursor cursor = webhooks.lockCursor();
              List<OutboxEvent> events = webhooks.committedEventsAfter(cursor, BATCH);
              for (OutboxEvent outbox : events) {
                messages[0] += dispatch(outbox.event());
              }
              if (!events.isEmpty()) {
                OutboxEvent last = events.getLast();
                webhooks.advanceCursor(new Cursor(last.xactId(), last.event().id()));
              }
              return events.size();
            });
    if (messages[0] > 0) {
      afterDispatch.run();
    }
    return read == null ? 0 : read;
  }

  private int dispatch(JobEvent event) {
    Optional<WebhookEventType> type = jobType(event.type());
    if (type.isEmpty()) {
      return 0;
    }
    if (type.get() == WebhookEventType.JOB_PROGRESS && !progressDue(event)) {
      return 0;
    }
    int written =
        service.fanOut(
            event.tenantId(), type.get(), event.createdAt(), () -> jobViewAt(event).orElse(null));
    if (event.kind().equals(JobKinds.GENERATION)) {
      written += dispatchGeneration(event);
    }
    return written;
  }

  /** A generation job's end is also its generation's (or interpolation's) end. */
  private int dispatchGeneration(JobEvent event) {
    if (!event.type().equals("succeeded") && !event.type().equals("failed")) {
      return 0;
    }
    Optional<Job> job = jobs.find(event.tenantId(), event.jobId());
    String generationId =
        job.map(j -> PayloadValues.string(j.payload(), "generationId")).orElse(null);
    if (generationId == null) {
      return 0;
    }
    var view = generations.find(event.tenantId(), UUID.fromString(generationId));
    if (view.isEmpty()) {
      return 0;
    }
    String name = view.get().kind() + "." + event.type();
    return WebhookEventType.fromWireName(name)
        .map(type -> service.fanOut(event.tenantId(), type, event.createdAt(), view::get))
        .orElse(0);
  }

  private boolean progressDue(JobEvent event) {
    if (!service.hasSubscribers(event.tenantId(), WebhookEventType.JOB_PROGRESS)) {
      return false;
    }
    double progress = json.readTree(event.dataJson()).path("progress").asDouble();
    Optional<ProgressMark> last = webhooks.progressMark(event.jobId());
    boolean due =
        last.isEmpty()
            || progress - last.get().progress() >= PROGRESS_STEP - 1e-9
            || Duration.between(last.get().at(), event.createdAt()).compareTo(PROGRESS_INTERVAL)
                >= 0;
    if (due) {
      webhooks.markProgress(event.jobId(), new ProgressMark(progress, event.createdAt()));
    }
    return due;
  }

  /** The job as the REST API showed it right after the event: the event's data over the row. */
  private Optional<JobView> jobViewAt(JobEvent event) {
    return jobs.find(event.tenantId(), event.jobId())
        .map(
            job -> {
              JsonNode data = json.readTree(event.dataJson());
              JobState state = JobState.fromWireName(data.path("state").asString());
              JsonNode detail = data.path("detail");
              return JobView.of(
                  new Job(
                      job.id(),
                      job.tenantId(),
                      job.kind(),
                      state,
                      job.payload(),
                      job.result(),
                      data.path("attempts").asInt(job.attempts()),
                      job.maxAttempts(),
                      data.path("crashes").asInt(job.crashes()),
                      job.maxCrashes(),
                      job.runAfter(),
                      job.leaseOwner(),
                      job.leaseExpiresAt(),
                      data.path("cancelRequested").asBoolean(job.cancelRequested()),
                      data.path("progress").asDouble(job.progress()),
                      data.path("currentStep").asInt(job.currentStep()),
                      data.path("totalSteps").asInt(job.totalSteps()),
                      detail.isMissingNode() || detail.isNull() ? null : detail.toString(),
                      data.path("etaSeconds").isNumber()
                          ? data.path("etaSeconds").asDouble()
                          : null,
                      data.path("error").isString() ? data.path("error").asString() : null,
                      job.createdAt(),
                      job.startedAt(),
                      state.isTerminal() ? job.finishedAt() : null,
                      event.createdAt()));
            });
  }

  private static Optional<WebhookEventType> jobType(String eventType) {
    return switch (eventType) {
      case "started" -> Optional.of(WebhookEventType.JOB_STARTED);
      case "progress" -> Optional.of(WebhookEventType.JOB_PROGRESS);
      case "succeeded" -> Optional.of(WebhookEventType.JOB_SUCCEEDED);
      case "failed" -> Optional.of(WebhookEventType.JOB_FAILED);
      case "canceled" -> Optional.of(WebhookEventType.JOB_CANCELED);
      default -> Optional.empty();
    };
  }

  @Override
  public void start() {
    loop.start();
  }

  @Override
  public void stop() {
    loop.stop();
  }

  @Override
  public boolean isRunning() {
    return loop.isRunning();
  }
}
