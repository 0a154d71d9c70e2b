package dev.dti.job;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The workers of this process: {@code threads-per-device} workers for each configured device, each
 * on its own named platform thread ({@code dti-worker-cpu-0}, {@code dti-worker-gpu0-0}, …), plus
 * one thread for lease heartbeats and one for the reaper.
 *
 * <p>A worker steps up to {@code batch-jobs} jobs of a batching handler together ({@link
 * JobBatching}); each of them keeps its own lease, heartbeat and outcome.
 *
 * <p>Model work stays off virtual and request threads on purpose: a JNI call pins its carrier
 * thread, and libtorch keeps per-OS-thread state (grad mode, thread-local streams).
 *
 * <p>On shutdown the workers stop claiming, running handlers are asked to stop at their next step
 * ({@link StopReason#SHUTDOWN}) and their jobs (every job a batching worker holds) go back to the
 * queue without using up an attempt; a handler still running after {@code shutdown-grace} is
 * interrupted. Heartbeats go on until every worker has stopped, so no lease expires during the
 * grace period.
 */
public final class WorkerPool implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

  private final WorkerProperties properties;
  private final JobClaimer claimer;
  private final LeaseHeartbeat heartbeat;
  private final LeaseReaper reaper;
  private final List<Worker> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private ScheduledExecutorService heartbeatThread;
  private ScheduledExecutorService reaperThread;
  private volatile boolean running;

  public WorkerPool(
      WorkerProperties properties,
      JobRepository jobs,
      List<JobHandler> handlers,
      MeterRegistry meters,
      InstantSource clock) {
    this.properties = properties;
    Map<String, JobHandler> byKind = byKind(handlers);
    this.claimer = new JobClaimer(jobs, byKind.keySet(), properties.leaseDuration());
    this.heartbeat = new LeaseHeartbeat(jobs, properties.leaseDuration());
    this.reaper = new LeaseReaper(jobs);
    RetryPolicy retryPolicy = new RetryPolicy(properties.backoffBase(), properties.backoffCap());
    String instance = instanceName();
    for (String device : properties.devices()) {
      for (int i = 0; i < properties.threadsPerDevice(); i++) {
        String name = "dti-worker-" + threadNamePart(device) + "-" + i;
        workers.add(
            new Worker(
                name,
                instance + "/" + name,
                device,
                properties.batchJobs(device),
                claimer,
                byKind,
                jobs,
                heartbeat,
                retryPolicy,
                properties.pollInterval(),
                meters,
                clock));
      }
    }
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    heartbeatThread = singleThread("dti-lease-heartbeat");
    reaperThread = singleThread("dti-lease-reaper");
    long heartbeatMillis = properties.heartbeatInterval().toMillis();
    heartbeatThread.scheduleWithFixedDelay(
        heartbeat::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
    long reaperMillis = properties.reaperInterval().toMillis();
    reaperThread.scheduleWithFixedDelay(
        reaper::reap, reaperMillis, reaperMillis, TimeUnit.MILLISECONDS);
    for (Worker worker : workers) {
      worker.prepareToRun();
      Thread thread = Thread.ofPlatform().name(worker.name()).daemon(true).unstarted(worker);
      threads.add(thread);
      thread.start();
    }
    running = true;
    if (claimer.kinds().isEmpty()) {
      log.info(
          "{} worker(s) on {} started with no job handlers: queued jobs wait for a worker that has"
              + " one",
          workers.size(),
          properties.devices());
    } else {
      log.info(
          "{} worker(s) on {} started for job kinds {}",
          workers.size(),
          properties.devices(),
          claimer.kinds());
    }
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    workers.forEach(Worker::stop);
    long deadline = System.nanoTime() + properties.shutdownGrace().toNanos();
    for (Thread thread : threads) {
      joinUntil(thread, deadline);
    }
    for (Thread thread : threads) {
      if (thread.isAlive()) {
        log.warn("{} did not stop within the shutdown grace; interrupting it", thread.getName());
        thread.interrupt();
      }
    }
    long lastChance = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    for (Thread thread : threads) {
      joinUntil(thread, lastChance);
      if (thread.isAlive()) {
        log.warn(
            "{} is still running; its job's lease will expire and a reaper will requeue it",
            thread.getName());
      }
    }
    heartbeatThread.shutdownNow();
    reaperThread.shutdownNow();
    threads.clear();
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Runs before the web server's graceful shutdown and long before the data source closes. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  List<String> workerNames() {
    return workers.stream().map(Worker::name).toList();
  }

  List<Worker> workers() {
    return workers;
  }

  LeaseHeartbeat heartbeat() {
    return heartbeat;
  }

  LeaseReaper reaper() {
    return reaper;
  }

  private static Map<String, JobHandler> byKind(List<JobHandler> handlers) {
    Map<String, JobHandler> byKind = new LinkedHashMap<>();
    for (JobHandler handler : handlers) {
      JobHandler previous = byKind.putIfAbsent(handler.kind(), handler);
      if (previous != null) {
        throw new IllegalStateException(
            "Two handlers for job kind '%s': %s and %s"
                .formatted(
                    handler.kind(), previous.getClass().getName(), handler.getClass().getName()));
      }
    }
    return byKind;
  }

  /** {@code gpu:0} becomes {@code gpu0}: thread names stay readable in thread dumps and metrics. */
  static String threadNamePart(String device) {
    return device.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  /** Lease owners name the pod (or host) and this start, so a restarted pod never looks alive. */
  private static String instanceName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "pid" + ProcessHandle.current().pid());
    byte[] random = new byte[3];
    ThreadLocalRandom.current().nextBytes(random);
    return host + "-" + HexFormat.of().formatHex(random);
  }

  private static ScheduledExecutorService singleThread(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().name(name).daemon(true).factory());
  }

  private static void joinUntil(Thread thread, long deadlineNanos) {
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      return;
    }
    try {
      thread.join(Duration.ofNanos(remaining));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
