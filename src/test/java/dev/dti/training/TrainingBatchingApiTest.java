package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.dti.embedding.Rows;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.job.JobRepository;
import dev.dti.job.WorkerPool;
import dev.dti.security.TenantService;
import dev.dti.support.ApiClient;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.Multipart;
import dev.dti.support.TestDatabase;
import dev.dti.support.TestImages;
import dev.dti.support.TestWorkers;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Several tenants' training jobs on one worker that steps them together (issue 15), through the
 * REST API and the real queue, on a tiny random-weight model. Each test queues its jobs before it
 * starts a pool, so they begin in the same pass; every progress report says how many jobs shared
 * the pass that made the step ({@code passJobs}), which is how the tests see that they did.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "dti.roles=api",
      "dti.training.checkpoint-every=2",
      "dti.training.progress-every=1",
      "dti.training.preview-every=3",
      "dti.training.preview-steps=2"
    })
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class TrainingBatchingApiTest {

  /**
   * The largest difference allowed between rows (or losses) of a job that shared passes and the
   * same job in passes of other partners: float32 reassociation in the batched kernels, measured on
   * this model at well below this bound (README, "Batching").
   */
  static final double REASSOCIATION = 1e-5;

  private static final Path MODEL = tinyModel();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> TestDatabase.get().url());
    registry.add("spring.datasource.username", () -> TestDatabase.get().username());
    registry.add("spring.datasource.password", () -> TestDatabase.get().password());
    registry.add("dti.model.dir", MODEL::toString);
  }

  @LocalServerPort int port;
  @Autowired TenantService tenants;
  @Autowired TrainingHandler handler;
  @Autowired JobRepository jobRepository;
  @Autowired JdbcClient jdbc;

  private ApiClient api;
  private final List<WorkerPool> pools = new ArrayList<>();
  private final List<Trained> created = new ArrayList<>();

  /** A concept of one tenant and its training job. */
  record Trained(String key, String conceptId, String jobId) {}

  /** Stops the test's workers and cancels what it left queued, so no other test trains it. */
  @AfterEach
  void stopPoolsAndCancelLeftovers() {
    stopWorkers();
    for (Trained trained : created) {
      api().post("/v1/jobs/" + trained.jobId() + "/cancel", trained.key());
    }
  }

  private ApiClient api() {
    if (api == null) {
      api = new ApiClient(port);
    }
    return api;
  }

  @Test
  void threeTenantsJobsTrainedTogetherEachKeepTheirNormCheckpointsHistoriesAndPreviews() {
    Trained a = create(newTenant(), "<a>", Map.of("steps", "6", "seed", "1"));
    Trained b = create(newTenant(), "<b>", Map.of("steps", "6", "seed", "2", "batchSize", "1"));
    Trained c = create(newTenant(), "<c>", Map.of("steps", "4", "seed", "3", "method", "ti"));

    startWorkers(4);
    JsonNode jobA = awaitState(a, "succeeded");
    JsonNode jobB = awaitState(b, "succeeded");
    JsonNode jobC = awaitState(c, "succeeded");

    assertThat(passJobs(a)).containsExactly(3, 3, 3, 3, 2, 2);
    assertThat(passJobs(b)).containsExactly(3, 3, 3, 3, 2, 2);
    assertThat(passJobs(c)).containsExactly(3, 3, 3, 3);
    double m = normM(a);
    for (JsonNode dti : List.of(jobA, jobB)) {
      assertThat(dti.at("/history/steps").size()).isEqualTo(6);
      dti.at("/history/norm")
          .forEach(norm -> assertThat(norm.asDouble()).isCloseTo(m, within(1e-6)));
    }
    assertThat(jobC.at("/history/steps").size()).isEqualTo(4);
    assertThat(snapshotSteps(a)).containsExactly(2, 4, 6);
    assertThat(snapshotSteps(b)).containsExactly(2, 4, 6);
    assertThat(snapshotSteps(c)).containsExactly(2, 4);
    for (Trained dti : List.of(a, b)) {
      for (int step : List.of(2, 4, 6)) {
        for (float[] row : download(dti, step).rows()) {
          assertThat(Rows.norm(row)).isCloseTo(m, within(1e-6));
        }
      }
      assertThat(api().get("/v1/jobs/" + dti.jobId() + "/previews", dti.key()).json().toString())
          .isEqualTo("[3,6]");
    }
    assertThat(api().get("/v1/jobs/" + c.jobId() + "/previews", c.key()).json().toString())
        .isEqualTo("[3]");
    assertThat(download(a, null).rows()).isNotEqualTo(download(b, null).rows());
  }

  @Test
  void aLoneJobIsBitIdenticalWithBatchJobsOneAndFourAndTwoJobsTogetherMatchThemAloneClosely() {
    String key = newTenant();
    Map<String, String> x = Map.of("steps", "6", "seed", "11");
    Map<String, String> y = Map.of("steps", "6", "seed", "12", "batchSize", "1");
    Trained aloneOne = create(key, "<x1>", x);
    startWorkers(1);
    awaitState(aloneOne, "succeeded");
    Trained yAlone = create(key, "<y1>", y);
    awaitState(yAlone, "succeeded");
    stopWorkers();

    Trained aloneFour = create(key, "<x4>", x);
    startWorkers(4);
    awaitState(aloneFour, "succeeded");
    stopWorkers();
    Trained xTogether = create(key, "<x2>", x);
    Trained yTogether = create(newTenant(), "<y2>", y);
    startWorkers(4);
    awaitState(xTogether, "succeeded");
    awaitState(yTogether, "succeeded");

    assertThat(passJobs(aloneOne)).containsOnly(1);
    assertThat(passJobs(aloneFour)).containsOnly(1);
    assertThat(passJobs(xTogether)).containsOnly(2);
    assertThat(download(aloneFour, null).rows()).isDeepEqualTo(download(aloneOne, null).rows());
    assertThat(history(aloneFour)).isEqualTo(history(aloneOne));
    assertThat(maxAbsDifference(download(xTogether, null).rows(), download(aloneOne, null).rows()))
        .isLessThanOrEqualTo(REASSOCIATION);
    assertThat(maxAbsDifference(download(yTogether, null).rows(), download(yAlone, null).rows()))
        .isLessThanOrEqualTo(REASSOCIATION);
    assertThat(maxAbsDifference(history(xTogether), history(aloneOne)))
        .isLessThanOrEqualTo(REASSOCIATION);
  }

  @Test
  void aJobThatJoinsMidwayAndOneCanceledMidwayLeaveTheirPartnersAsThoughTheyHadNotBeenThere() {
    Map<String, String> kept = Map.of("steps", "24", "seed", "21", "batchSize", "1");
    Map<String, String> canceled = Map.of("steps", "24", "seed", "22", "batchSize", "1");
    Map<String, String> joiner = Map.of("steps", "3", "seed", "23", "batchSize", "1");
    Trained keptAlone = create(newTenant(), "<kept-alone>", kept);
    startWorkers(1);
    awaitState(keptAlone, "succeeded");
    stopWorkers();

    Trained keptJob = create(newTenant(), "<kept>", kept);
    Trained canceledJob = create(newTenant(), "<canceled>", canceled);
    startWorkers(4);
    await().atMost(Duration.ofMinutes(3)).until(() -> checkpointStep(keptJob) >= 2);
    Trained joinerJob = create(newTenant(), "<joiner>", joiner);
    await().atMost(Duration.ofMinutes(3)).until(() -> currentStep(joinerJob) >= 1);
    assertThat(
            api().post("/v1/jobs/" + canceledJob.jobId() + "/cancel", canceledJob.key()).status())
        .isEqualTo(200);
    awaitState(canceledJob, "canceled");
    awaitState(joinerJob, "succeeded");
    awaitState(keptJob, "succeeded");

    List<Integer> widths = passJobs(keptJob);
    assertThat(widths).hasSize(24).startsWith(2, 2).contains(3).endsWith(1);
    assertThat(passJobs(joinerJob)).hasSize(3).contains(3);
    assertThat(currentStep(canceledJob)).isBetween(3, 23);
    assertThat(maxAbsDifference(download(keptJob, null).rows(), download(keptAlone, null).rows()))
        .isLessThanOrEqualTo(REASSOCIATION);
    assertThat(maxAbsDifference(history(keptJob), history(keptAlone)))
        .isLessThanOrEqualTo(REASSOCIATION);
  }

  /**
   * The exact comparison: a job J stopped in a shared pass at step s and resumed alone from its
   * checkpoint ends with the same bits as J trained, uninterrupted, with the same partner for s
   * steps (a partner of s steps: its batches are the same, as they depend on its seed and step
   * only) and then alone.
   */
  @Test
  void aBatchedJobStoppedAtAStepAndResumedAloneEndsBitForBitAsTheSameJobThatWentOnAlone() {
    String key = newTenant();
    String partnerKey = newTenant();
    Map<String, String> job = Map.of("steps", "10", "seed", "31");
    Trained stopped = create(key, "<stopped>", job);
    Trained partner = create(partnerKey, "<partner>", Map.of("steps", "10", "seed", "32"));
    startWorkers(4);
    await().atMost(Duration.ofMinutes(3)).until(() -> checkpointStep(stopped) >= 2);
    stopWorkers(); // both checkpoint at the step they are at and go back to the queue
    int s = checkpointStep(stopped);
    assertThat(currentStep(stopped)).isEqualTo(s);
    assertThat(s).isBetween(2, 9);
    startWorkers(1);
    awaitState(stopped, "succeeded");
    awaitState(partner, "succeeded");
    stopWorkers();

    Trained wentOn = create(key, "<went-on>", job);
    create(partnerKey, "<partner-s>", Map.of("steps", Integer.toString(s), "seed", "32"));
    startWorkers(4);
    awaitState(wentOn, "succeeded");

    List<Integer> sharedThenAlone = new ArrayList<>();
    for (int step = 1; step <= 10; step++) {
      sharedThenAlone.add(step <= s ? 2 : 1);
    }
    assertThat(passJobs(wentOn)).isEqualTo(sharedThenAlone);
    assertThat(passJobs(stopped)).isEqualTo(sharedThenAlone);
    assertThat(download(stopped, null).rows()).isDeepEqualTo(download(wentOn, null).rows());
    assertThat(history(stopped)).isEqualTo(history(wentOn));
  }

  @Test
  void aJobWhoseCheckpointIsAtItsLastStepEndsWithoutAStepAndItsPartnerTrainsAlone() {
    String key = newTenant();
    Map<String, String> job = Map.of("steps", "4", "seed", "51");
    Trained finished = create(key, "<finished>", job);
    startWorkers(1);
    awaitState(finished, "succeeded");
    stopWorkers();
    // The same job again, as if its worker had died after the last checkpoint: its checkpoint is
    // the finished job's, at step 4 of 4.
    Trained crashed = create(key, "<crashed>", job);
    jdbc.sql(
            """
            INSERT INTO training_checkpoints
              (job_id, step, rows_f32, optimizer_state, loss_history, norm_history, updated_at)
            SELECT CAST(:to AS uuid), step, rows_f32, optimizer_state, loss_history, norm_history, now()
            FROM training_checkpoints WHERE job_id = CAST(:from AS uuid)
            """)
        .param("to", crashed.jobId())
        .param("from", finished.jobId())
        .update();
    Trained partner = create(newTenant(), "<partner-of-done>", Map.of("steps", "3", "seed", "52"));

    startWorkers(4);
    awaitState(crashed, "succeeded");
    awaitState(partner, "succeeded");

    assertThat(passJobs(crashed)).isEmpty();
    assertThat(passJobs(partner)).containsExactly(1, 1, 1);
    assertThat(download(crashed, null).rows()).isDeepEqualTo(download(finished, null).rows());
  }

  @Test
  void stoppingAWorkerThatHoldsThreeJobsCheckpointsEachAtTheCurrentStepWithoutCountingAttempts() {
    List<Trained> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(create(newTenant(), "<held" + i + ">", Map.of("steps", "50", "seed", "4" + i)));
    }
    startWorkers(4);
    await().atMost(Duration.ofMinutes(3)).until(() -> currentStep(three.getFirst()) >= 3);

    stopWorkers();

    int stoppedAt = currentStep(three.getFirst());
    for (Trained held : three) {
      JsonNode job = api().get("/v1/jobs/" + held.jobId(), held.key()).json();
      assertThat(job.get("state").asString()).isEqualTo("queued");
      assertThat(job.get("attempts").asInt()).isZero();
      assertThat(job.get("crashes").asInt()).isZero();
      assertThat(job.get("currentStep").asInt()).isEqualTo(stoppedAt);
      assertThat(checkpointStep(held)).as("checkpointed where it stopped").isEqualTo(stoppedAt);
      assertThat(passJobs(held)).hasSize(stoppedAt).containsOnly(3);
    }
  }

  private void startWorkers(int batchJobs) {
    pools.add(
        TestWorkers.start(
            TestWorkers.fast().withBatchJobs(batchJobs), jobRepository, List.of(handler)));
  }

  private void stopWorkers() {
    pools.forEach(WorkerPool::stop);
    pools.clear();
  }

  private String newTenant() {
    return tenants.createTenant("batching-" + UUID.randomUUID()).key().key();
  }

  /** A concept of two images with the test's defaults (DTI, batch 2, lr 0.05) and overrides. */
  private Trained create(String key, String token, Map<String, String> overrides) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("name", "Blob");
    fields.put("token", token);
    fields.put("initializer", "a");
    fields.put("batchSize", "2");
    fields.put("learningRate", "0.05");
    fields.putAll(overrides);
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40));
    fields.forEach(form::field);
    Response response = api().postMultipart("/v1/concepts", key, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    JsonNode json = response.json();
    Trained trained =
        new Trained(key, json.at("/concept/id").asString(), json.at("/job/id").asString());
    created.add(trained);
    return trained;
  }

  private JsonNode awaitState(Trained trained, String expected) {
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              JsonNode job = api().get("/v1/jobs/" + trained.jobId(), trained.key()).json();
              String state = job.get("state").asString();
              assertThat(state)
                  .as("job %s ended early: %s", trained.jobId(), job)
                  .isIn("queued", "running", expected);
              return state.equals(expected);
            });
    return api().get("/v1/jobs/" + trained.jobId(), trained.key()).json();
  }

  private int currentStep(Trained trained) {
    return api()
        .get("/v1/jobs/" + trained.jobId(), trained.key())
        .json()
        .get("currentStep")
        .asInt();
  }

  /** The jobs that shared the pass of each step, from the job's progress events in step order. */
  private List<Integer> passJobs(Trained trained) {
    return jdbc.sql(
            """
            SELECT (data -> 'detail' ->> 'passJobs')::int FROM job_events
            WHERE job_id = CAST(:j AS uuid) AND type = 'progress' ORDER BY id
            """)
        .param("j", trained.jobId())
        .query(Integer.class)
        .list();
  }

  /** The loss and norm of every step, as the job API shows them. */
  private List<Float> history(Trained trained) {
    JsonNode history =
        api().get("/v1/jobs/" + trained.jobId(), trained.key()).json().get("history");
    List<Float> values = new ArrayList<>();
    history.get("loss").forEach(v -> values.add(v.floatValue()));
    history.get("norm").forEach(v -> values.add(v.floatValue()));
    return values;
  }

  private int checkpointStep(Trained trained) {
    return jdbc.sql(
            "SELECT coalesce(max(step), 0) FROM training_checkpoints WHERE job_id = CAST(:j AS uuid)")
        .param("j", trained.jobId())
        .query(Integer.class)
        .single();
  }

  private List<Integer> snapshotSteps(Trained trained) {
    return jdbc.sql(
            "SELECT step FROM concept_embeddings WHERE concept_id = CAST(:c AS uuid) ORDER BY step")
        .param("c", trained.conceptId())
        .query(Integer.class)
        .list();
  }

  private double normM(Trained trained) {
    return jdbc.sql(
            "SELECT DISTINCT norm_m FROM concept_embeddings WHERE concept_id = CAST(:c AS uuid)")
        .param("c", trained.conceptId())
        .query(Double.class)
        .single();
  }

  private EmbeddingFile download(Trained trained, Integer step) {
    String path =
        "/v1/concepts/"
            + trained.conceptId()
            + "/embedding?format=diffusers"
            + (step == null ? "" : "&step=" + step);
    Response response = api().get(path, trained.key());
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    return EmbeddingFiles.read(response.bytes(), "embedding.safetensors");
  }

  static double maxAbsDifference(float[][] a, float[][] b) {
    assertThat(a.length).isEqualTo(b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
      }
    }
    return max;
  }

  static double maxAbsDifference(List<Float> a, List<Float> b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.size(); i++) {
      max = Math.max(max, Math.abs(a.get(i) - b.get(i)));
    }
    return max;
  }

  private static Path tinyModel() {
    try {
      return TinyModelFolder.create(Files.createTempDirectory("dti-tiny-model"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
