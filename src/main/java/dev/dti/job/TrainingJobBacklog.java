package dev.dti.job;

import dev.dti.security.TrainingBacklog;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Counts a tenant's queued and running training jobs for the security package's cap. */
@Component
class TrainingJobBacklog implements TrainingBacklog {

  private final JobRepository jobs;

  TrainingJobBacklog(JobRepository jobs) {
    this.jobs = jobs;
  }

  @Override
  public long unfinishedTrainingJobs(UUID tenantId) {
    return jobs.countUnfinished(tenantId, JobKinds.TRAINING);
  }
}
