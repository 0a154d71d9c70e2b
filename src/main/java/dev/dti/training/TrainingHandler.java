package dev.dti.training;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.basemodel.ModelUnavailableException;
import dev.dti.blob.BlobStore;
import dev.dti.concept.ConceptService;
import dev.dti.concept.Hyperparameters;
import dev.dti.concept.TrainingJobPayload;
import dev.dti.concept.TrainingMaterial;
import dev.dti.diffusion.pipeline.GenerationSettings;
import dev.dti.diffusion.pipeline.Images;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.diffusion.pipeline.TextToImage;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.job.GradientLock;
import dev.dti.job.JobBatching;
import dev.dti.job.JobContext;
import dev.dti.job.JobHandler;
import dev.dti.job.JobKinds;
import dev.dti.job.JobStoppedException;
import dev.dti.job.StopReason;
import dev.dti.job.TerminalJobException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a concept's training job on a worker: loads the device's model, resumes from the job's last
 * checkpoint if it has one, reports progress, checkpoints rows and optimizer state, and stores the
 * final embedding. Cancel and shutdown stop it between two steps.
 *
 * <p>It can also train several jobs together ({@link #batching()}): a worker holding several
 * training jobs steps their {@link TrainingRun}s in one batched pass ({@link ConceptTrainer#step})
 * for every group of runs that {@link TrainingRun#canShareWith can share} it (the same model and
 * latent shape); runs that can't share go in a pass of their own in the same step. Each job keeps
 * its own listener: progress (with {@code passJobs}, the jobs of the pass that made the step),
 * previews, checkpoints, stop and its final embedding, exactly as when it runs alone.
 */
@Component
public class TrainingHandler implements JobHandler {

  private static final Logger log = LoggerFactory.getLogger(TrainingHandler.class);

  private final ModelRegistry models;
  private final ConceptService concepts;
  private final TrainingStore store;
  private final EmbeddingRepository embeddings;
  private final BlobStore blobs;
  private final TrainingProperties properties;
  private final JsonMapper json;
  private final JobBatching batching = new Batching();

  public TrainingHandler(
      ModelRegistry models,
      ConceptService concepts,
      TrainingStore store,
      EmbeddingRepository embeddings,
      BlobStore blobs,
      TrainingProperties properties,
      JsonMapper json) {
    this.models = models;
    this.concepts = concepts;
    this.store = store;
    this.embeddings = embeddings;
    this.blobs = blobs;
    this.properties = properties;
    this.json = json;
  }

  @Override
  public String kind() {
    return JobKinds.TRAINING;
  }

  @Override
  public void run(JobContext context) throws Exception {
    TrainingJob job = prepare(context);
    TrainingResult result;
    try {
      result = job.trainer.train(job.request, job.resume, job.listener);
    } catch (TrainingDivergedException | IllegalArgumentException e) {
      throw new TerminalJobException(e.getMessage(), e);
    }
    finish(job, result);
  }

  @Override
  public Optional<JobBatching> batching() {
    return Optional.of(batching);
  }

  /**
   * One training job as its worker holds it: what {@link #prepare} read, its listener, and (when
   * stepped with others) its run.
   */
  private final class TrainingJob implements JobBatching.Session {
    final JobContext context;
    final TrainingMaterial material;
    final StableDiffusionModel model;
    final TrainingRequest request;
    final TrainingCheckpoint resume;
    final ConceptTrainer trainer;
    final JobListener listener;
    TrainingRun run;

    TrainingJob(
        JobContext context,
        TrainingMaterial material,
        StableDiffusionModel model,
        TrainingRequest request,
        TrainingCheckpoint resume) {
      this.context = context;
      this.material = material;
      this.model = model;
      this.request = request;
      this.resume = resume;
      this.trainer = new ConceptTrainer(model, GradientLock.jvmWide(), properties.viewsPerImage());
      this.listener = new JobListener(this);
    }

    @Override
    public JobContext context() {
      return context;
    }

    /** A run holds Java arrays only (no native memory): nothing to free. */
    @Override
    public void close() {}

    JobBatching.Outcome finishWithoutStep() {
      try {
        finish(this, run.result());
        return JobBatching.Outcome.ENDED;
      } catch (RuntimeException e) {
        return JobBatching.Outcome.failed(e);
      }
    }

    /**
     * What the job does after a pass of {@code passJobs} jobs: what {@link ConceptTrainer#train}
     * does after each step of a run alone (checkpoint, then progress, preview and stop), then the
     * final embedding once the run is done.
     */
    JobBatching.Outcome afterPass(StepOutcome outcome, int passJobs, StopReason stop) {
      if (outcome instanceof StepOutcome.Diverged diverged) {
        return JobBatching.Outcome.failed(
            new TerminalJobException(diverged.error().getMessage(), diverged.error()));
      }
      TrainingProgress progress = ((StepOutcome.Advanced) outcome).progress();
      try {
        listener.passJobs = passJobs;
        listener.stopReasonOfThisStep(stop);
        if (listener.checkpointAfter(progress.step())) {
          listener.onCheckpoint(run.checkpoint(), progress.encoders());
        }
        listener.onStep(progress);
        if (!run.isDone()) {
          return JobBatching.Outcome.CONTINUES;
        }
        finish(this, run.result());
        return JobBatching.Outcome.ENDED;
      } catch (Exception e) {
        return JobBatching.Outcome.failed(e);
      }
    }
  }

  /** Steps the runs of the jobs a worker holds, in one pass per group that can share one. */
  private final class Batching implements JobBatching {

    @Override
    public Session open(JobContext context) throws Exception {
      TrainingJob job = prepare(context);
      try {
        job.run = job.trainer.start(job.request, job.resume);
      } catch (IllegalArgumentException e) {
        throw new TerminalJobException(e.getMessage(), e);
      }
      return job;
    }

    @Override
    public List<JobBatching.Outcome> step(List<Session> sessions) throws InterruptedException {
      List<TrainingJob> jobs = sessions.stream().map(TrainingJob.class::cast).toList();
      JobBatching.Outcome[] outcomes = new JobBatching.Outcome[jobs.size()];
      for (int i = 0; i < jobs.size(); i++) {
        // Resumed from the checkpoint of its last step (its worker died before recording the
        // end): no step left, only the final embedding, as train() returns at once for it.
        if (jobs.get(i).run.isDone()) {
          outcomes[i] = jobs.get(i).finishWithoutStep();
        }
      }
      for (List<Integer> pass : passes(jobs, outcomes)) {
        List<TrainingRun> runs = pass.stream().map(i -> jobs.get(i).run).toList();
        List<StepOutcome> stepped;
        try {
          stepped = jobs.get(pass.getFirst()).trainer.step(runs);
        } catch (RuntimeException e) {
          for (int i : pass) {
            outcomes[i] = JobBatching.Outcome.failed(e);
          }
          continue;
        }
        // Every job of the pass reads its stop reason at one moment, before any of them writes:
        // a shutdown stops them all at the same step.
        StopReason[] stops = new StopReason[pass.size()];
        for (int k = 0; k < pass.size(); k++) {
          stops[k] = jobs.get(pass.get(k)).context.stopReason();
        }
        for (int k = 0; k < pass.size(); k++) {
          int i = pass.get(k);
          outcomes[i] = jobs.get(i).afterPass(stepped.get(k), pass.size(), stops[k]);
        }
      }
      return List.of(outcomes);
    }

    /**
     * The jobs without a {@code decided} outcome grouped into passes: each joins the first pass
     * whose first run it can share with, else starts a new one. Indices into {@code jobs}, in
     * order.
     */
    private List<List<Integer>> passes(List<TrainingJob> jobs, JobBatching.Outcome[] decided) {
      List<List<Integer>> passes = new ArrayList<>();
      for (int i = 0; i < jobs.size(); i++) {
        if (decided[i] != null) {
          continue;
        }
        TrainingRun run = jobs.get(i).run;
        List<Integer> joined = null;
        for (List<Integer> pass : passes) {
          if (jobs.get(pass.getFirst()).run.canShareWith(run)) {
            joined = pass;
            break;
          }
        }
        if (joined == null) {
          joined = new ArrayList<>();
          passes.add(joined);
        }
        joined.add(i);
      }
      return passes;
    }
  }

  /** Reads what a job needs before its first step: its model, concept, request and checkpoint. */
  private TrainingJob prepare(JobContext context) throws IOException {
    UUID conceptId = TrainingJobPayload.conceptId(context.payload());
    UUID tenantId = context.job().tenantId();
    StableDiffusionModel model;
    try {
      model = models.get(context.device());
    } catch (ModelUnavailableException e) {
      throw new TerminalJobException(e.getMessage(), e);
    }
    TrainingMaterial material =
        Optional.ofNullable(conceptId)
            .flatMap(id -> concepts.trainingMaterial(tenantId, id))
            .orElseThrow(
                () -> new TerminalJobException("The concept was deleted before training."));
    TrainingRequest request = request(material);
    TrainingCheckpoint resume = store.loadCheckpoint(context.jobId()).orElse(null);
    if (resume != null) {
      log.info("Job {} resumes from its checkpoint at step {}", context.jobId(), resume.step());
    }
    return new TrainingJob(context, material, model, request, resume);
  }

  /** Stores the final embedding and hands the job's summary to the queue. */
  private void finish(TrainingJob job, TrainingResult result) {
    TrainingRequest request = job.request;
    float finalLoss = result.lossHistory()[request.steps() - 1];
    embeddings.save(
        job.context.jobId(),
        withRows(
                Embedding.builder(job.material.conceptId(), job.material.tenantId()),
                result.encoders())
            .step(request.steps())
            .isFinal(true)
            .method(request.method())
            .baseModelId(job.model.id())
            .loss((double) finalLoss)
            .build());
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("numVectors", result.rows().length);
    summary.put("dim", result.rows()[0].length);
    summary.put("normM", result.normM());
    if (result.encoders().size() > 1) {
      Map<String, Object> perEncoder = new LinkedHashMap<>();
      result
          .encoders()
          .forEach(
              (name, rows) ->
                  perEncoder.put(
                      name,
                      Map.of(
                          "numVectors", rows.rows().length,
                          "dim", rows.rows()[0].length,
                          "normM", rows.normM())));
      summary.put("encoders", perEncoder);
    }
    summary.put("finalLoss", finalLoss);
    summary.put("baseModelId", job.model.id());
    job.context.complete(json.writeValueAsString(summary));
  }

  /** One job's reaction to its steps, the same whether it trains alone or with others. */
  private final class JobListener implements ConceptTrainer.Listener {
    private final TrainingJob job;

    /** Jobs in the pass that made the step (one for a job trained alone). */
    int passJobs = 1;

    /** Read once a step, before its checkpoint decision, so a stop always follows a checkpoint. */
    private StopReason stopAfterThisStep;

    private boolean stopReasonGiven;

    JobListener(TrainingJob job) {
      this.job = job;
    }

    /** Fixes the stop reason the next {@link #checkpointAfter} decides on (read by the caller). */
    void stopReasonOfThisStep(StopReason reason) {
      stopAfterThisStep = reason;
      stopReasonGiven = true;
    }

    @Override
    public void onStep(TrainingProgress progress) {
      JobContext context = job.context;
      if (progress.step() % properties.progressEvery() == 0
          || progress.step() == progress.totalSteps()
          || stopAfterThisStep != null) {
        context.reportProgress(
            progress.step(), progress.totalSteps(), progressDetail(progress, passJobs));
      }
      if (properties.previewEvery() > 0 && progress.step() % properties.previewEvery() == 0) {
        preview(context, job.material, job.model, progress);
      }
      if (stopAfterThisStep != null) {
        throw new JobStoppedException(stopAfterThisStep);
      }
    }

    /**
     * Periodically, at the last step, and at the step where a shutdown stops the run: the job goes
     * back to the queue and the next worker resumes exactly there.
     */
    @Override
    public boolean checkpointAfter(int step) {
      if (!stopReasonGiven) {
        stopAfterThisStep = job.context.stopReason();
      }
      stopReasonGiven = false;
      return step % properties.checkpointEvery() == 0
          || step == job.request.steps()
          || stopAfterThisStep == StopReason.SHUTDOWN;
    }

    @Override
    public void onCheckpoint(
        TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows) {
      store.saveCheckpoint(job.context.jobId(), checkpoint);
      embeddings.save(
          job.context.jobId(),
          withRows(Embedding.builder(job.material.conceptId(), job.material.tenantId()), rows)
              .step(checkpoint.step())
              .method(job.request.method())
              .baseModelId(job.model.id())
              .loss((double) checkpoint.lossHistory()[checkpoint.step() - 1])
              .build());
    }
  }

  private static Map<String, float[][]> rowsByEncoder(Map<String, Embedding.EncoderRows> encoders) {
    Map<String, float[][]> rows = new LinkedHashMap<>();
    encoders.forEach((name, encoder) -> rows.put(name, encoder.rows()));
    return rows;
  }

  /** An embedding builder with the rows and m of every text encoder. */
  private static Embedding.Builder withRows(
      Embedding.Builder builder, Map<String, Embedding.EncoderRows> encoders) {
    encoders.forEach((name, rows) -> builder.encoder(name, rows.rows(), rows.normM()));
    return builder;
  }

  /**
   * The job's progress detail: the smoothed loss, the mean norm of the first text encoder's rows
   * (SD's only one) and the number of jobs that shared the pass of this step; with several encoders
   * (SDXL) also the mean norm of each, by encoder name.
   */
  private String progressDetail(TrainingProgress progress, int passJobs) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("lastLoss", progress.smoothedLoss());
    detail.put("embeddingNorm", progress.meanNorm());
    detail.put("passJobs", passJobs);
    if (progress.encoders().size() > 1) {
      detail.put("embeddingNorms", progress.meanNorms());
    }
    return json.writeValueAsString(detail);
  }

  /** One image of the validation prompt with the rows learned so far. */
  private void preview(
      JobContext context,
      TrainingMaterial material,
      StableDiffusionModel model,
      TrainingProgress progress) {
    String prompt = properties.previewPrompt().replace("{}", material.token());
    int resolution = model.unet().config().sampleSize() * model.vae().config().scaleFactor();
    BufferedImage image =
        TextToImage.generate(
            model,
            Map.of(material.token(), rowsByEncoder(progress.encoders())),
            prompt,
            "",
            new GenerationSettings(
                resolution,
                resolution,
                properties.previewSteps(),
                7.5,
                0,
                material.hyperparameters().seed()));
    var blob = blobs.put(material.tenantId(), "image/png", Images.png(image));
    store.savePreview(context.jobId(), progress.step(), blob.id(), prompt);
  }

  private TrainingRequest request(TrainingMaterial material) throws IOException {
    Hyperparameters hp = material.hyperparameters();
    List<BufferedImage> images = new ArrayList<>();
    for (byte[] bytes : material.images()) {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
      if (image == null) {
        throw new TerminalJobException("A reference image could not be decoded.");
      }
      images.add(image);
    }
    boolean anyCaption = material.captions().stream().anyMatch(c -> c != null && !c.isBlank());
    return TrainingRequest.builder(hp.method(), material.token(), material.initializer(), images)
        .numVectors(hp.numVectors())
        .steps(hp.steps())
        .learningRate(hp.learningRate())
        .scaleLr(hp.scaleLr())
        .kappa(hp.kappa() == null ? 0 : hp.kappa())
        .weightDecay(properties.tiWeightDecay())
        .batchSize(hp.batchSize())
        .seed(hp.seed())
        .templates(hp.templates())
        .captions(anyCaption ? material.captions() : null)
        .build();
  }
}
