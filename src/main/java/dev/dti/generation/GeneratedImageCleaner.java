package dev.dti.generation;

import dev.dti.blob.BlobStore;
import dev.dti.generation.GenerationRepository.Expired;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes generations older than {@code dti.generation.retention} (images, their blobs, the
 * interpolated embeddings) every {@code dti.generation.cleanup-interval}. A generation whose job is
 * still queued or running waits for it. Until the cleaner runs, expired results already answer 404.
 */
@Component
public class GeneratedImageCleaner {

  private static final Logger log = LoggerFactory.getLogger(GeneratedImageCleaner.class);
  private static final int BATCH = 100;

  private final GenerationRepository generations;
  private final BlobStore blobs;
  private final TransactionTemplate transaction;

  GeneratedImageCleaner(
      GenerationRepository generations, BlobStore blobs, TransactionTemplate transaction) {
    this.generations = generations;
    this.blobs = blobs;
    this.transaction = transaction;
  }

  @Scheduled(
      fixedDelayString = "${dti.generation.cleanup-interval:10m}",
      initialDelayString = "${dti.generation.cleanup-interval:10m}")
  void scheduled() {
    try {
      int removed = removeExpired();
      if (removed > 0) {
        log.info("Removed {} expired generation(s)", removed);
      }
    } catch (RuntimeException e) {
      log.warn("Could not remove expired generations: {}", e.toString());
    }
  }

  /** Removes every expired generation now; returns how many. */
  public int removeExpired() {
    int total = 0;
    while (true) {
      Integer removed =
          transaction.execute(
              status -> {
                List<Expired> expired = generations.lockExpired(BATCH);
                if (expired.isEmpty()) {
                  return 0;
                }
                generations.delete(expired.stream().map(Expired::id).toList());
                for (Expired generation : expired) {
                  blobs.delete(generation.tenantId(), generation.blobIds());
                }
                return expired.size();
              });
      total += removed;
      if (removed < BATCH) {
        return total;
      }
    }
  }
}
