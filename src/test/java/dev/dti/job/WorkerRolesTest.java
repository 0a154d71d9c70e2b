package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Which beans each {@code dti.roles} setting brings up; no database is touched. */
class WorkerRolesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(WorkerProperties.class)
  static class Properties {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Properties.class, JobConfiguration.class)
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withBean(
              JobRepository.class,
              () ->
                  new JobRepository(
                      JdbcClient.create(new DriverManagerDataSource("jdbc:postgresql://unused/"))));

  @Test
  void byDefaultTheServiceIsBothApiAndWorker() {
    runner.run(context -> assertThat(context).hasSingleBean(WorkerPool.class));
  }

  @Test
  void anApiOnlyProcessStartsNoWorkers() {
    runner
        .withPropertyValues("dti.roles=api")
        .run(
            context -> {
              assertThat(context).hasNotFailed().doesNotHaveBean(WorkerPool.class);
              assertThat(context).hasSingleBean(QueueDepthMetrics.class);
              assertThat(context).hasSingleBean(GradientLock.class);
            });
  }

  @Test
  void aWorkerOnlyProcessRunsOneWorkerPerConfiguredDevice() {
    runner
        .withPropertyValues(
            "dti.roles=worker", "dti.worker.devices=gpu:0,gpu:1", "dti.worker.threads-per-device=2")
        .run(
            context ->
                assertThat(context.getBean(WorkerPool.class).workerNames())
                    .containsExactly(
                        "dti-worker-gpu0-0",
                        "dti-worker-gpu0-1",
                        "dti-worker-gpu1-0",
                        "dti-worker-gpu1-1"));
  }

  @Test
  void rolesIgnoreCaseAndSpaces() {
    runner
        .withPropertyValues("dti.roles= API , Worker ")
        .run(context -> assertThat(context).hasSingleBean(WorkerPool.class));
  }

  @Test
  void aMisspelledRoleStopsTheStart() {
    runner
        .withPropertyValues("dti.roles=api,wroker")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage("Unknown role 'wroker' in dti.roles: use api, worker or both"));
  }
}
