package dev.dti.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.dti.DtiApplication;
import dev.dti.support.ApiClient;
import dev.dti.support.Multipart;
import dev.dti.support.TestImages;
import dev.dti.support.TinyModelFolder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM to the single-process default (API, worker and the embedded PostgreSQL in one JVM) in the
 * middle of two training jobs that its worker steps together: the worker finishes its step,
 * checkpoints each job there and hands both back before the database stops; the next start resumes
 * at exactly that step, and no attempt or crash is counted. Runs the real application in child
 * JVMs.
 */
class GracefulShutdownTest {

  private static final String KEY = "dti_graceful_shutdown_test_key_0123456789";

  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stopChildren() throws InterruptedException {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void
      sigtermMidJobsCheckpointsEveryHeldJobAtTheCurrentStepAndTheNextStartResumesThereWithoutCountingAnAttempt(
          @TempDir Path dir) throws Exception {
    Path model = TinyModelFolder.create(dir.resolve("model"));
    Path data = dir.resolve("data");
    Path firstLog = dir.resolve("first.log");
    int port = freePort();
    Process first = start(model, data, port, firstLog);
    ApiClient api = awaitReady(port, first, firstLog);
    // Two jobs on the default CPU worker, which steps up to 4 jobs together: both are held.
    List<String> jobIds =
        List.of(createLongTrainingJob(api, "<blob>"), createLongTrainingJob(api, "<blub>"));
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> jobIds.stream().allMatch(id -> job(api, id).get("currentStep").asInt() >= 3));
    for (String jobId : jobIds) {
      assertThat(job(api, jobId).get("attempts").asInt()).isEqualTo(1);
    }

    first.destroy(); // SIGTERM
    assertThat(first.waitFor(90, TimeUnit.SECONDS)).as("the first process exits").isTrue();

    String firstOutput = Files.readString(firstLog);
    assertThat(firstOutput).doesNotContain("Could not record how job");
    List<Integer> stoppedAt = new ArrayList<>();
    for (String jobId : jobIds) {
      Matcher stopped =
          Pattern.compile("Job " + jobId + " stopped at step (\\d+) for shutdown")
              .matcher(firstOutput);
      assertThat(stopped.find()).as(firstOutput).isTrue();
      stoppedAt.add(Integer.parseInt(stopped.group(1)));
    }
    assertThat(stoppedAt.get(0) % 1000).as("not a periodic checkpoint step").isNotZero();

    Path secondLog = dir.resolve("second.log");
    int secondPort = freePort();
    Process second = start(model, data, secondPort, secondLog);
    ApiClient again = awaitReady(secondPort, second, secondLog);
    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                jobIds.stream()
                    .allMatch(id -> readLog(secondLog).contains("Job " + id + " resumes from")));

    for (int i = 0; i < jobIds.size(); i++) {
      String jobId = jobIds.get(i);
      assertThat(readLog(secondLog))
          .contains("Job " + jobId + " resumes from its checkpoint at step " + stoppedAt.get(i));
      JsonNode resumed = job(again, jobId);
      assertThat(resumed.get("attempts").asInt()).isEqualTo(1);
      assertThat(resumed.get("crashes").asInt()).isZero();
      assertThat(resumed.get("currentStep").asInt()).isGreaterThanOrEqualTo(stoppedAt.get(i));
      assertThat(again.post("/v1/jobs/" + jobId + "/cancel", KEY).status()).isEqualTo(200);
    }
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String createLongTrainingJob(ApiClient api, String token) {
    Multipart form =
        new Multipart()
            .image("one.png", TestImages.png(64, 48))
            .image("two.png", TestImages.png(40, 40))
            .field("name", "Blob")
            .field("token", token)
            .field("initializer", "a")
            .field("steps", "5000")
            .field("batchSize", "1");
    var response = api.postMultipart("/v1/concepts", KEY, form);
    assertThat(response.status()).as(response.body()).isEqualTo(202);
    return response.json().at("/job/id").asString();
  }

  private static JsonNode job(ApiClient api, String jobId) {
    return api.get("/v1/jobs/" + jobId, KEY).json();
  }

  private Process start(Path model, Path data, int port, Path log) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                DtiApplication.class.getName(),
                "--server.port=" + port,
                "--dti.data-dir=" + data,
                "--dti.model.dir=" + model,
                "--dti.training.checkpoint-every=1000",
                "--dti.worker.poll-interval=100ms")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("DTI_API_KEY", KEY);
    builder.environment().remove("DTI_DATABASE_URL");
    Process child = builder.start();
    children.add(child);
    return child;
  }

  private static ApiClient awaitReady(int port, Process child, Path log) throws Exception {
    ApiClient api = new ApiClient(port);
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(child.isAlive()).as("the child exited:%n%s", Files.readString(log)).isTrue();
      try {
        if (api.get("/actuator/health/readiness", null).status() == 200) {
          return api;
        }
      } catch (RuntimeException notListeningYet) {
        // the server is still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError("the child never became ready:\n" + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
