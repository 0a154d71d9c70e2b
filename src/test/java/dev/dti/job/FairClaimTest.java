package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The claim shares the workers between tenants: the tenant with the fewest running jobs goes first,
 * ties go to the tenant whose job has waited longest, and within a tenant the oldest job goes
 * first. Jobs are claimed one at a time with {@link JobClaimer}, so the order is exact.
 */
class FairClaimTest extends QueueTestBase {

  @Autowired TransactionTemplate transactions;

  final UUID otherTenant = UUID.randomUUID();

  private JobClaimer claimer() {
    return new JobClaimer(jobs, Set.of(kind), Duration.ofSeconds(30));
  }

  private Job enqueueFor(UUID tenantId) {
    return jobService.enqueue(tenantId, kind, "{\"steps\": 10}", 10);
  }

  private void insertOtherTenant() {
    jdbc.sql("INSERT INTO tenants (id, name) VALUES (:id, :name)")
        .param("id", otherTenant)
        .param("name", "queue-test-" + otherTenant)
        .update();
  }

  @Test
  void aTenantWithOneJobQueuedAfterAnothersHundredStartsSecond() {
    insertOtherTenant();
    List<Job> hundred = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundred.add(enqueueFor(tenant));
    }
    Job single = enqueueFor(otherTenant);
    JobClaimer claimer = claimer();

    Job first = claimer.claim("worker-1").orElseThrow();
    Job second = claimer.claim("worker-2").orElseThrow();
    Job third = claimer.claim("worker-3").orElseThrow();

    assertThat(first.id()).isEqualTo(hundred.get(0).id());
    assertThat(second.id()).as("the other tenant runs nothing yet").isEqualTo(single.id());
    assertThat(third.id()).isEqualTo(hundred.get(1).id());
  }

  @Test
  void twoTenantsWithQueuedJobsTakeTurnsOldestFirstWithinEach() {
    insertOtherTenant();
    Job a1 = enqueueFor(tenant);
    Job a2 = enqueueFor(tenant);
    Job a3 = enqueueFor(tenant);
    Job b1 = enqueueFor(otherTenant);
    Job b2 = enqueueFor(otherTenant);
    JobClaimer claimer = claimer();

    List<UUID> order = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      order.add(claimer.claim("worker-" + i).orElseThrow().id());
    }

    assertThat(order).containsExactly(a1.id(), b1.id(), a2.id(), b2.id(), a3.id());
    assertThat(claimer.claim("worker-5")).isEmpty();
  }

  @Test
  void aTenantWhoseJobsFinishedCountsOnlyItsRunningOnes() {
    insertOtherTenant();
    Job a1 = enqueueFor(tenant);
    Job a2 = enqueueFor(tenant);
    Job b1 = enqueueFor(otherTenant);
    Job b2 = enqueueFor(otherTenant);
    JobClaimer claimer = claimer();
    assertThat(claimer.claim("worker-a").orElseThrow().id()).isEqualTo(a1.id());
    assertThat(jobs.markSucceeded(a1.id(), "worker-a", null)).isTrue();

    // Both run nothing now: the job that has waited longest goes first, a2 (queued before b1).
    assertThat(claimer.claim("worker-b").orElseThrow().id()).isEqualTo(a2.id());
    assertThat(claimer.claim("worker-c").orElseThrow().id()).isEqualTo(b1.id());
    assertThat(claimer.claim("worker-d").orElseThrow().id()).isEqualTo(b2.id());
  }

  @Test
  void aRowAnotherClaimerHoldsIsSkippedWithoutWaiting() throws Exception {
    insertOtherTenant();
    Job a1 = enqueueFor(tenant);
    Job a2 = enqueueFor(tenant);
    Job b1 = enqueueFor(otherTenant);

    Job claimedMeanwhile =
        transactions.execute(
            status -> {
              jdbc.sql("SELECT id FROM jobs WHERE id = :id FOR UPDATE")
                  .param("id", a1.id())
                  .query(UUID.class)
                  .single();
              // Another connection claims while a1 is locked by this transaction.
              return CompletableFuture.supplyAsync(() -> claimer().claim("worker-x").orElseThrow())
                  .orTimeout(10, TimeUnit.SECONDS)
                  .join();
            });

    assertThat(claimedMeanwhile.id()).as("a1 is skipped, a2 is next").isEqualTo(a2.id());
    assertThat(reload(a1).state()).isEqualTo(JobState.QUEUED);
    assertThat(claimer().claim("worker-y").orElseThrow().id())
        .as("the other tenant runs nothing, the first tenant one job")
        .isEqualTo(b1.id());
  }
}
