package dev.dti.job;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** What the rest of the service may ask of the queue: enqueue, look up, cancel. */
@Service
public class JobService {

  private final JobRepository jobs;
  private final int defaultMaxAttempts;
  private final int defaultMaxCrashes;

  public JobService(JobRepository jobs, WorkerProperties workerProperties) {
    this.jobs = jobs;
    this.defaultMaxAttempts = workerProperties.maxAttempts();
    this.defaultMaxCrashes = workerProperties.maxCrashes();
  }

  /** Enqueues a job; joins the caller's transaction so a failed request leaves no job behind. */
  @Transactional
  public Job enqueue(UUID tenantId, String kind, String payloadJson, int totalSteps) {
    return jobs.insert(
        UUID.randomUUID(),
        tenantId,
        kind,
        payloadJson,
        defaultMaxAttempts,
        defaultMaxCrashes,
        totalSteps);
  }

  public Optional<Job> find(UUID tenantId, UUID jobId) {
    return jobs.findForTenant(tenantId, jobId);
  }

  public List<Job> page(UUID tenantId, JobState state, int limit, int offset) {
    return jobs.pageForTenant(tenantId, state, limit, offset);
  }

  public long count(UUID tenantId, JobState state) {
    return jobs.countForTenant(tenantId, state);
  }

  @Transactional
  public Optional<Job> cancel(UUID tenantId, UUID jobId) {
    return jobs.requestCancel(tenantId, jobId);
  }

  /**
   * Cancels the tenant's unfinished jobs whose payload has {@code key} = {@code value} and removes
   * that key from all their payloads: what they pointed at is being deleted.
   */
  @Transactional
  public void cancelAndForget(UUID tenantId, String key, String value) {
    for (Job job : jobs.findByPayload(tenantId, key, value)) {
      if (!job.state().isTerminal()) {
        jobs.requestCancel(tenantId, job.id());
      }
    }
    jobs.removeFromPayloads(tenantId, key, value);
  }

  /**
   * The tenant's newest job for each of these values of a payload key, by value (values without a
   * job are absent).
   */
  public Map<String, Job> latestByPayload(UUID tenantId, String key, Collection<String> values) {
    Map<String, Job> latest = new java.util.HashMap<>();
    for (Job job : jobs.latestByPayload(tenantId, key, values)) {
      latest.put(PayloadValues.string(job.payload(), key), job);
    }
    return latest;
  }

  /** The job's transitions, oldest first, after event {@code afterId} (0: all). */
  public List<JobEvent> events(UUID jobId, long afterId) {
    return jobs.eventsOf(jobId, afterId);
  }
}
