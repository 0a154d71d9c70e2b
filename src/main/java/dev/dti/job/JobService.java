package dev.dti.job;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
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
  public Job enqueue(
      UUID tenantId, String kind, UUID conceptId, String payloadJson, int totalSteps) {
    return jobs.insert(
        UUID.randomUUID(),
        tenantId,
        kind,
        conceptId,
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

  /** Cancels every unfinished job of a concept (used when the concept is deleted). */
  @Transactional
  public void cancelForConcept(UUID tenantId, UUID conceptId) {
    for (Job job : jobs.findByConcept(conceptId)) {
      if (!job.state().isTerminal()) {
        jobs.requestCancel(tenantId, job.id());
      }
    }
  }

  /** The newest job of each concept, by concept id (concepts without a job are absent). */
  public Map<UUID, Job> latestForConcepts(UUID tenantId, Collection<UUID> conceptIds) {
    return jobs.latestForConcepts(tenantId, conceptIds).stream()
        .collect(Collectors.toMap(Job::conceptId, Function.identity()));
  }
}
