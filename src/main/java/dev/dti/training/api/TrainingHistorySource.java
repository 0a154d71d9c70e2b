package dev.dti.training.api;

import dev.dti.job.api.JobHistory;
import dev.dti.training.TrainingStore;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Training jobs' loss and norm curves, from their latest checkpoint. */
@Component
class TrainingHistorySource implements JobHistory.Source {

  private final TrainingStore store;

  TrainingHistorySource(TrainingStore store) {
    this.store = store;
  }

  @Override
  public Optional<JobHistory> history(UUID jobId) {
    return store.histories(jobId).map(curves -> JobHistory.downsample(curves[0], curves[1]));
  }
}
