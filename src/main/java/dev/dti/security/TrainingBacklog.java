package dev.dti.security;

import java.util.UUID;

/** How many training jobs a tenant has queued or running; the job queue answers it. */
public interface TrainingBacklog {

  long unfinishedTrainingJobs(UUID tenantId);
}
