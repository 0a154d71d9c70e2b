package dev.dti.basemodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dti.job.JobHandler;
import dev.dti.job.JobKinds;
import dev.dti.job.JobRepository;
import dev.dti.job.JobService;
import dev.dti.job.JobState;
import dev.dti.job.WorkerPool;
import dev.dti.job.WorkerProperties;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.Multipart;
import dev.dti.support.TestDatabase;
import dev.dti.support.TestImages;
import dev.dti.support.TinyModelFolder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A model folder that cannot be loaded (here: its UNet weights are missing, as after a partial
 * copy) is a configuration error: readiness says so with the loader's sentence, requests that need
 * the model get 503 and store nothing, and a queued job fails at once instead of being retried.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "dti.roles=api")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class UnusableModelTest {

  private static final Path MODEL = modelWithoutUNetWeights();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestDatabase.get().url());
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", MODEL::toString);
  }

  @LocalServerPort int port;
  @Autowired TenantService tenants;
  @Autowired JobService jobService;
  @Autowired JobRepository jobRepository;
  @Autowired List<JobHandler> handlers;
  @Autowired JdbcClient jdbc;

  @Test
  void readinessIsDownWithTheLoadersSentence() {
    Response readiness = new ApiClient(port).get("/actuator/health/readiness", null);

    assertThat(readiness.status()).isEqualTo(503);
    assertThat(readiness.json().at("/components/model/status").asString()).isEqualTo("DOWN");
    assertThat(readiness.json().at("/components/model/details/problem").asString())
        .isEqualTo(
            "The model folder "
                + MODEL
                + " cannot be loaded: Missing weight file "
                + MODEL.resolve("unet/diffusion_pytorch_model.safetensors")
                + " (or diffusion_pytorch_model.fp16.safetensors)");
  }

  @Test
  void creatingAConceptAnswers503WithTheReasonAndStoresNothing() {
    String key = tenants.createTenant("unusable-" + UUID.randomUUID()).key().key();
    long conceptsBefore = count("concepts");
    long jobsBefore = count("jobs");
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Blob")
            .field("token", "<blob>")
            .field("initializer", "a");

    Response response = new ApiClient(port).postMultipart("/v1/concepts", key, form);

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.json().get("detail").asString())
        .startsWith("The model folder " + MODEL + " cannot be loaded: Missing weight file");
    assertThat(count("concepts")).isEqualTo(conceptsBefore);
    assertThat(count("jobs")).isEqualTo(jobsBefore);
  }

  @Test
  void aSynchronousGenerationAnswers503() {
    String key = tenants.createTenant("unusable-gen-" + UUID.randomUUID()).key().key();

    Response response =
        new ApiClient(port)
            .postJson("/v1/generations", key, "{\"prompt\": \"a red circle\", \"steps\": 2}");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.json().get("detail").asString()).contains("Missing weight file");
  }

  @Test
  void aQueuedTrainingJobFailsAtItsFirstAttemptWithTheReason() {
    UUID tenant = tenants.createTenant("unusable-job-" + UUID.randomUUID()).tenant().id();
    var job =
        jobService.enqueue(
            tenant, JobKinds.TRAINING, "{\"conceptId\": \"" + UUID.randomUUID() + "\"}", 400);
    JobHandler training =
        handlers.stream().filter(h -> h.kind().equals(JobKinds.TRAINING)).findFirst().orElseThrow();
    WorkerPool pool =
        new WorkerPool(
            new WorkerProperties(
                List.of("cpu"),
                1,
                Duration.ofMillis(20),
                Duration.ofSeconds(30),
                Duration.ofMillis(200),
                Duration.ofSeconds(1),
                3,
                5,
                Duration.ofMillis(200),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ZERO,
                null),
            jobRepository,
            List.of(training),
            new SimpleMeterRegistry(),
            InstantSource.system());
    pool.start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> jobRepository.findById(job.id()).orElseThrow().state().isTerminal());
    } finally {
      pool.stop();
    }

    var failed = jobRepository.findById(job.id()).orElseThrow();
    assertThat(failed.state()).isEqualTo(JobState.FAILED);
    assertThat(failed.attempts()).isEqualTo(1);
    assertThat(failed.error()).contains("cannot be loaded: Missing weight file");
  }

  private long count(String table) {
    return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
  }

  private static Path modelWithoutUNetWeights() {
    try {
      Path dir = TinyModelFolder.create(Files.createTempDirectory("dti-unusable-model"));
      Files.delete(dir.resolve("unet/diffusion_pytorch_model.safetensors"));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
