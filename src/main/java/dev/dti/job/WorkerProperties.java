package dev.dti.job;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
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
    @DefaultValue("5s") Duration queueDepthCacheTtl) {

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
    if (heartbeatInterval.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException(
          "dti.worker.heartbeat-interval must be shorter than dti.worker.lease-duration");
    }
  }
}
