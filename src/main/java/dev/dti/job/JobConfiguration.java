package dev.dti.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.InstantSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/** Wires the queue's moving parts; the workers only where {@code dti.roles} includes worker. */
@Configuration(proxyBeanMethods = false)
public class JobConfiguration {

  @Bean
  GradientLock gradientLock(MeterRegistry meters) {
    GradientLock lock = GradientLock.jvmWide();
    Gauge.builder("dti.gradient.lock.waiting", lock, GradientLock::waiting)
        .description("Workers waiting to collect gradients (several devices in one JVM)")
        .register(meters);
    return lock;
  }

  @Bean
  QueueDepthMetrics queueDepthMetrics(
      JobRepository jobs, MeterRegistry meters, WorkerProperties properties) {
    return new QueueDepthMetrics(jobs, meters, properties.queueDepthCacheTtl());
  }

  @Configuration(proxyBeanMethods = false)
  @Conditional(WorkerRoleCondition.class)
  static class WorkerRole {

    @Bean
    WorkerPool workerPool(
        WorkerProperties properties,
        JobRepository jobs,
        ObjectProvider<JobHandler> handlers,
        MeterRegistry meters) {
      return new WorkerPool(
          properties, jobs, handlers.orderedStream().toList(), meters, InstantSource.system());
    }
  }
}
