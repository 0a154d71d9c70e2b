package dev.dti.concept;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.basemodel.ModelUnavailableException;
import dev.dti.concept.ConceptViews.ConceptView;
import dev.dti.diffusion.pipeline.StableDiffusionModel;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.embedding.SphericalInterpolation;
import dev.dti.embedding.TrainingMethod;
import dev.dti.embedding.file.EmbeddingFile;
import dev.dti.embedding.file.EmbeddingFiles;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.embedding.file.EmbeddingFormatException;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Downloads of learned embeddings in the portable formats, and imports of existing ones. */
@Service
public class EmbeddingService {

  /** The device whose model copy validates imports (the API role may have no GPU). */
  private static final String IMPORT_DEVICE = "cpu";

  private final ConceptService concepts;
  private final EmbeddingRepository store;
  private final ModelRegistry models;

  EmbeddingService(ConceptService concepts, EmbeddingRepository store, ModelRegistry models) {
    this.concepts = concepts;
    this.store = store;
    this.models = models;
  }

  /** A file for download: its name and bytes (a zip for the diffusers pair of SDXL). */
  public record Download(String filename, byte[] bytes) {
    public boolean isZip() {
      return filename.endsWith(".zip");
    }
  }

  public Download export(Tenant tenant, UUID conceptId, EmbeddingFormat format, Integer step) {
    return export(tenant, conceptId, format, step, null);
  }

  /**
   * The embedding as a file of {@code format}; with {@code encoder}, only that text encoder's
   * diffusers file (for SDXL one of the pair {@code learned_embeds.safetensors} / {@code
   * learned_embeds_2.safetensors}).
   */
  public Download export(
      Tenant tenant, UUID conceptId, EmbeddingFormat format, Integer step, String encoder) {
    ConceptView concept = concepts.get(tenant, conceptId); // 404 for unknown or foreign ids
    Embedding embedding =
        store
            .find(tenant.id(), conceptId, step)
            .orElseThrow(() -> missing(tenant, conceptId, step));
    // An imported file's own metadata (A1111's step, sd_checkpoint, …) goes back out with it.
    Map<String, String> metadata = new LinkedHashMap<>(embedding.fileMetadata());
    metadata.put("name", concept.name());
    metadata.putIfAbsent("step", Integer.toString(embedding.step()));
    metadata.put("dti.method", embedding.method().wireName());
    metadata.put("dti.norm_m", Double.toString(embedding.encoder(TEXT_ENCODER).normM()));
    boolean xl = embedding.encoders().containsKey(TEXT_ENCODER_2);
    if (xl) {
      metadata.put("dti.norm_m_2", Double.toString(embedding.encoder(TEXT_ENCODER_2).normM()));
    }
    metadata.put("dti.base_model", embedding.baseModelId());
    metadata.put("dti.concept_id", conceptId.toString());
    var file =
        xl
            ? EmbeddingFile.xl(
                concept.token(),
                embedding.rows(TEXT_ENCODER),
                embedding.rows(TEXT_ENCODER_2),
                metadata)
            : new EmbeddingFile(concept.token(), embedding.rows(TEXT_ENCODER), metadata);
    Integer snapshotStep = embedding.isFinal() ? null : embedding.step();
    if (encoder != null) {
      if (format != EmbeddingFormat.DIFFUSERS) {
        throw ApiProblem.badRequest(
            "encoder selects one text encoder's diffusers file; use it with format=diffusers (the "
                + format
                + " file holds every encoder).");
      }
      if (!embedding.encoders().containsKey(encoder)) {
        throw ApiProblem.badRequest(
            "Unknown encoder '"
                + encoder
                + "': this embedding has rows for "
                + String.join(" and ", embedding.encoders().keySet())
                + ".");
      }
      return new Download(
          EmbeddingFormat.diffusersFilename(concept.token(), snapshotStep, encoder),
          EmbeddingFiles.writeDiffusers(file, encoder));
    }
    return new Download(
        format.suggestedFilename(concept.token(), snapshotStep, xl),
        EmbeddingFiles.write(format, file));
  }

  private ApiProblem missing(Tenant tenant, UUID conceptId, Integer step) {
    List<Integer> steps = store.steps(tenant.id(), conceptId);
    if (steps.isEmpty()) {
      return ApiProblem.conflict(
          "Concept "
              + conceptId
              + " has no learned embedding yet: its training job has not written a checkpoint.");
    }
    return ApiProblem.notFound(
        "Concept "
            + conceptId
            + " has no snapshot at step "
            + step
            + "; available steps: "
            + steps
            + ".");
  }

  /**
   * Creates a concept from an uploaded embedding file for this service's base model. With {@code
   * repair}, every row is rescaled onto the sphere of radius m, DTI's constraint: the way to rescue
   * a TI embedding whose norm swamps the rest of the prompt. An SDXL file holds rows for both text
   * encoders; each is repaired with its own encoder's m.
   */
  @Transactional
  public ConceptView importEmbedding(
      Tenant tenant,
      byte[] bytes,
      String filename,
      String name,
      String token,
      String baseModel,
      boolean repair) {
    EmbeddingFile file;
    try {
      file = EmbeddingFiles.read(bytes, filename);
    } catch (EmbeddingFormatException e) {
      throw ApiProblem.badRequest("The file is not a usable embedding: " + e.getMessage() + ".");
    }
    return importFile(tenant, file, name, token, baseModel, repair);
  }

  /**
   * As {@link #importEmbedding} for the diffusers pair of an SDXL embedding sent as two files:
   * text_encoder's ({@code learned_embeds.safetensors}) and text_encoder_2's ({@code
   * learned_embeds_2.safetensors}).
   */
  @Transactional
  public ConceptView importPair(
      Tenant tenant,
      byte[] bytes,
      String filename,
      byte[] bytes2,
      String filename2,
      String name,
      String token,
      String baseModel,
      boolean repair) {
    EmbeddingFile file;
    try {
      file = EmbeddingFiles.readPair(bytes, filename, bytes2, filename2);
    } catch (EmbeddingFormatException e) {
      throw ApiProblem.badRequest("The files are not a usable embedding: " + e.getMessage() + ".");
    }
    return importFile(tenant, file, name, token, baseModel, repair);
  }

  private ConceptView importFile(
      Tenant tenant,
      EmbeddingFile file,
      String name,
      String token,
      String baseModel,
      boolean repair) {
    StableDiffusionModel model;
    try {
      model = models.get(IMPORT_DEVICE);
    } catch (ModelUnavailableException e) {
      throw new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage(), List.of());
    }
    String ownName = models.properties().name();
    if (baseModel != null
        && !baseModel.isBlank()
        && !baseModel.equals(model.id())
        && !baseModel.equals(ownName)) {
      throw ApiProblem.badRequest(
          "The embedding is for base model '"
              + baseModel
              + "', but this service runs '"
              + ownName
              + "' ("
              + model.id()
              + ").");
    }
    String madeFor = file.metadata().get("dti.base_model");
    if (madeFor != null && !madeFor.equals(model.id())) {
      throw ApiProblem.badRequest(
          "The embedding was learned on base model "
              + madeFor
              + ", but this service runs "
              + model.id()
              + ".");
    }
    Map<String, Integer> widths = TextEncoders.widths(model);
    String misfit = TextEncoders.misfit(file, widths);
    if (misfit != null) {
      throw ApiProblem.badRequest(misfit);
    }
    TrainingMethod method = repair ? TrainingMethod.DTI : TrainingMethod.TI;
    String conceptName = name == null || name.isBlank() ? file.token() : name;
    ConceptView concept =
        concepts.createImported(tenant, conceptName, token, method, file.vectors());
    Embedding.Builder embedding =
        Embedding.builder(concept.id(), tenant.id())
            .isFinal(true)
            .method(method)
            .baseModelId(model.id())
            .fileMetadata(keptMetadata(file));
    for (String encoder : widths.keySet()) {
      double m = TextEncoders.normM(model, encoder);
      float[][] rows = file.rows(encoder);
      if (repair) {
        try {
          rows = SphericalInterpolation.ontoSphere(rows, m);
        } catch (IllegalArgumentException e) {
          throw ApiProblem.badRequest(
              "The embedding cannot be repaired: a "
                  + EmbeddingFile.fileName(encoder)
                  + " row is zero and has no direction to keep.");
        }
      }
      embedding.encoder(encoder, rows, m);
    }
    store.save(null, embedding.build());
    return concepts.get(tenant, concept.id());
  }

  /**
   * The metadata of an imported file that its exports carry on: all but {@code format} and this
   * service's {@code dti.*} keys, which every export writes afresh.
   */
  private static Map<String, String> keptMetadata(EmbeddingFile file) {
    Map<String, String> kept = new LinkedHashMap<>();
    file.metadata()
        .forEach(
            (key, value) -> {
              if (!key.equals("format") && !key.startsWith("dti.")) {
                kept.put(key, value);
              }
            });
    return kept;
  }
}
