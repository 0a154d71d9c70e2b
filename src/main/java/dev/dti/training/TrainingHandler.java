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
import dev.dti.job.JobContext;
import dev.dti.job.JobHandler;
import dev.dti.job.JobKinds;
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
    var trainer = new ConceptTrainer(model, GradientLock.jvmWide(), properties.viewsPerImage());
    TrainingResult result;
    try {
      result = trainer.train(request, resume, listener(context, material, model, request));
    } catch (TrainingDivergedException | IllegalArgumentException e) {
      throw new TerminalJobException(e.getMessage(), e);
    }
    float finalLoss = result.lossHistory()[request.steps() - 1];
    embeddings.save(
        context.jobId(),
        withRows(Embedding.builder(conceptId, tenantId), result.encoders())
            .step(request.steps())
            .isFinal(true)
            .method(request.method())
            .baseModelId(model.id())
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
    summary.put("baseModelId", model.id());
    context.complete(json.writeValueAsString(summary));
  }

  private ConceptTrainer.Listener listener(
      JobContext context,
      TrainingMaterial material,
      StableDiffusionModel model,
      TrainingRequest request) {
    return new ConceptTrainer.Listener() {
      /**
       * Read once a step, before its checkpoint decision, so a stop always follows a checkpoint.
       */
      private StopReason stopAfterThisStep;

      @Override
      public void onStep(TrainingProgress progress) {
        if (progress.step() % properties.progressEvery() == 0
            || progress.step() == progress.totalSteps()
            || stopAfterThisStep != null) {
          context.reportProgress(progress.step(), progress.totalSteps(), progressDetail(progress));
        }
        if (properties.previewEvery() > 0 && progress.step() % properties.previewEvery() == 0) {
          preview(context, material, model, progress);
        }
        if (stopAfterThisStep != null) {
          context.throwIfCanceled();
        }
      }

      /**
       * Periodically, at the last step, and at the step where a shutdown stops the run: the job
       * goes back to the queue and the next worker resumes exactly there.
       */
      @Override
      public boolean checkpointAfter(int step) {
        stopAfterThisStep = context.stopReason();
        return step % properties.checkpointEvery() == 0
            || step == request.steps()
            || stopAfterThisStep == StopReason.SHUTDOWN;
      }

      @Override
      public void onCheckpoint(
          TrainingCheckpoint checkpoint, Map<String, Embedding.EncoderRows> rows) {
        store.saveCheckpoint(context.jobId(), checkpoint);
        embeddings.save(
            context.jobId(),
            withRows(Embedding.builder(material.conceptId(), material.tenantId()), rows)
                .step(checkpoint.step())
                .method(request.method())
                .baseModelId(model.id())
                .loss((double) checkpoint.lossHistory()[checkpoint.step() - 1])
                .build());
      }
    };
  }

  /** An embedding builder with the rows and m of every text encoder. */
  private static Embedding.Builder withRows(
      Embedding.Builder builder, Map<String, Embedding.EncoderRows> encoders) {
    encoders.forEach((name, rows) -> builder.encoder(name, rows.rows(), rows.normM()));
    return builder;
  }

  /**
   * The job's progress detail: the smoothed loss and the mean norm of the first text encoder's rows
   * (SD's only one); with several encoders (SDXL) also the mean norm of each, by encoder name.
   */
  private String progressDetail(TrainingProgress progress) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("lastLoss", progress.smoothedLoss());
    detail.put("embeddingNorm", progress.meanNorm());
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
            Map.of(material.token(), progress.rows()),
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
