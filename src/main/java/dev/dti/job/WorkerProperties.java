package dev.dti.job;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything the job workers can be tuned with; the one place that lists each default (see
 * docs/queue.md for the table with environment variables).
 *
 * @param devices devices this process runs model work on, one or more workers each: {@code cpu},
 *     {@code gpu:0}, {@code gpu:0,gpu:1} ({@code DTI_WORKER_DEVICES}). Handlers map the string to a
 *     DJL device.
 * @param threadsPerDevice workers (dedicated platform threads) per device; one by default because a
 *     training step already uses every core of its device
 * @param pollInterval how long an idle worker waits before asking the queue again
 * @param leaseDuration how long a claimed job belongs to its worker without a heartbeat; after that
 *     the reaper gives it back to the queue
 * @param heartbeatInterval how often leases of running jobs are renewed and cancel requests read;
 *     cancel reaches a running job within one interval. Must be well below {@code leaseDuration}
 * @param reaperInterval how often expired leases (dead workers) are looked for
 * @param maxAttempts attempts a new job gets before it fails for good; an attempt is used up by a
 *     failure of the job itself, not by its worker stopping or dying
 * @param maxCrashes times a new job's worker may die under it (kill -9, OOM kill, lost node: its
 *     lease expires) before the job fails; bounds a job that kills its worker every time
 * @param backoffBase wait before the first retry; the n-th retry waits {@code base * 2^(n-1)}
 * @param backoffCap longest wait between two attempts
 * @param shutdownGrace on shutdown, how long running handlers get to stop at a step boundary before
 *     their threads are interrupted
 * @param queueDepthCacheTtl how long the queue-depth gauge reuses its last count
 * @param batchJobs how many jobs one worker holds and steps together when their handler can batch
 *     ({@link JobHandler#batching()}); one runs every job alone. Unset: {@link #CPU_BATCH_JOBS} on
 *     {@code cpu}, {@link #GPU_BATCH_JOBS} on a {@code gpu:N} device (see {@link
 *     #batchJobs(String)})
 */
@ConfigurationProperties("dti.worker")
public record WorkerProperties(
    @DefaultValue("cpu") List<String> devices,
    @DefaultValue("1") int threadsPerDevice,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("60s") Duration leaseDuration,
    @DefaultValue("10s") Duration heartbeatInterval,
    @DefaultValue("30s") Duration reaperInterval,
    @DefaultValue("3") int maxAttempts,
    @DefaultValue("5") int maxCrashes,
    @DefaultValue("30s") Duration backoffBase,
    @DefaultValue("30m") Duration backoffCap,
    @DefaultValue("20s") Duration shutdownGrace,
    @DefaultValue("5s") Duration queueDepthCacheTtl,
    Integer batchJobs) {

  /**
   * Jobs a CPU worker steps together by default: in docs/benchmarks.md ("Multi-job batching")
   * stepping 2 to 8 jobs together never lost throughput on the CPU (at SD-1.5 size it gained a
   * little, on the small default model 2 to 3 times), and 4 keeps the extra memory moderate.
   */
  public static final int CPU_BATCH_JOBS = 4;

  /**
   * Jobs a GPU worker steps together by default: a step of one small job leaves most of a GPU idle
   * (docs/benchmarks.md, "What the numbers predict for a GPU").
   */
  public static final int GPU_BATCH_JOBS = 8;

  @ConstructorBinding
  public WorkerProperties {
    devices = devices.stream().map(String::strip).filter(d -> !d.isEmpty()).toList();
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("dti.worker.devices must name at least one device");
    }
    if (threadsPerDevice < 1) {
      throw new IllegalArgumentException("dti.worker.threads-per-device must be at least 1");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("dti.worker.max-attempts must be at least 1");
    }
    if (maxCrashes < 1) {
      throw new IllegalArgumentException("dti.worker.max-crashes must be at least 1");
    }
    if (batchJobs != null && batchJobs < 1) {
      throw new IllegalArgumentException("dti.worker.batch-jobs must be at least 1");
    }
    if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "dti.worker.heartbeat-interval must be shorter than dti.worker.lease-duration");
    }
  }

  /** The same properties with {@code batchJobs} set. */
  public WorkerProperties withBatchJobs(int jobs) {
    return new WorkerProperties(
        devices,
        threadsPerDevice,
        pollInterval,
        leaseDuration,
        heartbeatInterval,
        reaperInterval,
        maxAttempts,
        maxCrashes,
        backoffBase,
        backoffCap,
        shutdownGrace,
        queueDepthCacheTtl,
        jobs);
  }

  /** Jobs a worker on {@code device} steps together: the property, or the device type's default. */
  public int batchJobs(String device) {
    if (batchJobs != null) {
      return batchJobs;
    }
    return device.startsWith("gpu") ? GPU_BATCH_JOBS : CPU_BATCH_JOBS;
  }
}
