package dev.dti.concept;

import static dev.dti.concept.TrainingDefaults.*;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.diffusion.pipeline.ModelIndex;
import dev.dti.embedding.TrainingMethod;
import dev.dti.web.ApiProblem;
import dev.dti.web.FieldProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.multipart.MultipartFile;

/**
 * Checks a create request completely before anything is stored, and reports every invalid field at
 * once. Sizes over the configured limits answer 413, everything else 400.
 */
@Component
class ConceptRequestValidator {

  private final UploadProperties upload;
  private final ModelRegistry models;

  ConceptRequestValidator(UploadProperties upload, ModelRegistry models) {
    this.upload = upload;
    this.models = models;
  }

  /** Whether the configured base model is SDXL (its folder's index names a second encoder). */
  private boolean sdxl() {
    try {
      return ModelIndex.read(models.dir()).hasSecondTextEncoder();
    } catch (IOException e) {
      return false; // an unusable model fails the job with its own sentence
    }
  }

  NewConcept validate(CreateConceptForm form) {
    List<FieldProblem> errors = new ArrayList<>();
    String name = text(form.name());
    if (name == null || name.isBlank()) {
      errors.add(new FieldProblem("name", "is required"));
    } else if (name.length() > MAX_NAME_LENGTH) {
      errors.add(new FieldProblem("name", "must be at most " + MAX_NAME_LENGTH + " characters"));
    }
    String token = text(form.token());
    if (token == null) {
      errors.add(new FieldProblem("token", "is required, e.g. <my-rabbit>"));
    } else if (!TOKEN.matcher(token).matches()) {
      errors.add(
          new FieldProblem(
              "token",
              "must look like <my-rabbit>: '<', 1–39 lower-case letters, digits, '_' or '-'"
                  + " (starting with a letter or digit), '>'"));
    }
    String initializer = text(form.initializer());
    if (initializer == null) {
      errors.add(new FieldProblem("initializer", "is required, e.g. rabbit"));
    } else if (initializer.length() > MAX_INITIALIZER_LENGTH
        || !INITIALIZER.matcher(initializer).matches()) {
      errors.add(
          new FieldProblem(
              "initializer",
              "must be 1–"
                  + MAX_INITIALIZER_LENGTH
                  + " characters of words made of letters, separated by single spaces"));
    }
    TrainingMethod method =
        choice(
            "method",
            form.method(),
            TrainingMethod.DTI,
            TrainingMethod::fromWire,
            "dti, ti",
            errors);
    TemplateSet templates =
        choice(
            "templates",
            form.templates(),
            TemplateSet.OBJECT,
            TemplateSet::fromWire,
            "object, style",
            errors);

    int steps = inRange("steps", form.steps(), MIN_STEPS, MAX_STEPS, DEFAULT_STEPS, errors);
    int batchSize =
        inRange(
            "batchSize",
            form.batchSize(),
            MIN_BATCH_SIZE,
            MAX_BATCH_SIZE,
            DEFAULT_BATCH_SIZE,
            errors);
    Integer numVectors =
        form.numVectors() == null
            ? null
            : inRange("numVectors", form.numVectors(), MIN_VECTORS, MAX_VECTORS, 1, errors);
    double learningRate = method == null ? 0 : TrainingDefaults.defaultLearningRate(method);
    if (form.learningRate() != null) {
      learningRate = form.learningRate();
      if (!Double.isFinite(learningRate) || learningRate <= 0 || learningRate > MAX_LEARNING_RATE) {
        errors.add(
            new FieldProblem(
                "learningRate", "must be a number above 0 and at most " + MAX_LEARNING_RATE));
      }
    }
    Double kappa = method == TrainingMethod.TI ? null : DEFAULT_KAPPA;
    if (form.kappa() != null) {
      if (method == TrainingMethod.TI) {
        errors.add(new FieldProblem("kappa", "applies only to method dti"));
      } else if (!Double.isFinite(form.kappa()) || form.kappa() < 0 || form.kappa() > MAX_KAPPA) {
        errors.add(new FieldProblem("kappa", "must be a number from 0 to " + MAX_KAPPA));
      } else {
        kappa = form.kappa();
      }
    }
    long seed =
        form.seed() != null ? form.seed() : ThreadLocalRandom.current().nextLong(MAX_RANDOM_SEED);
    boolean scaleLr =
        form.scaleLr() != null ? form.scaleLr() : TrainingDefaults.defaultScaleLr(sdxl());

    List<MultipartFile> files =
        form.images() == null
            ? List.of()
            : form.images().stream().filter(Objects::nonNull).toList();
    List<String> captions = form.captions();
    if (captions != null && captions.size() != files.size()) {
      errors.add(
          new FieldProblem(
              "captions",
              "there are "
                  + captions.size()
                  + " captions for "
                  + files.size()
                  + " images; send one caption per image, in the same order, or none"));
    }
    if (captions != null) {
      for (int i = 0; i < captions.size(); i++) {
        if (captions.get(i) != null && captions.get(i).length() > MAX_CAPTION_LENGTH) {
          errors.add(
              new FieldProblem(
                  "captions[" + i + "]", "must be at most " + MAX_CAPTION_LENGTH + " characters"));
        }
      }
    }
    List<FieldProblem> sizeErrors = sizeProblems(files);
    List<NewConcept.Image> images = List.of();
    if (files.size() < MIN_IMAGES || files.size() > MAX_IMAGES) {
      errors.add(
          new FieldProblem(
              "images",
              "send "
                  + MIN_IMAGES
                  + " to "
                  + MAX_IMAGES
                  + " images as repeated 'images' file parts; got "
                  + files.size()));
    } else if (sizeErrors.isEmpty()) {
      images = inspectImages(files, captions, errors);
    }

    if (!sizeErrors.isEmpty()) {
      errors.addAll(sizeErrors);
      throw new ApiProblem(
          HttpStatus.CONTENT_TOO_LARGE,
          "The upload is larger than the limits; see errors.",
          errors);
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.invalidFields(errors);
    }
    var hyperparameters =
        Hyperparameters.builder(method, templates)
            .steps(steps)
            .learningRate(learningRate)
            .kappa(kappa)
            .batchSize(batchSize)
            .seed(seed)
            .numVectors(numVectors)
            .scaleLr(scaleLr)
            .build();
    return new NewConcept(name.strip(), token, initializer, hyperparameters, images);
  }

  /** Size limits, checked from the part headers before any byte is decoded. */
  private List<FieldProblem> sizeProblems(List<MultipartFile> files) {
    List<FieldProblem> errors = new ArrayList<>();
    long maxImage = upload.maxImageBytes().toBytes();
    long total = 0;
    for (int i = 0; i < files.size(); i++) {
      long size = files.get(i).getSize();
      total += size;
      if (size > maxImage) {
        errors.add(
            new FieldProblem(
                imageField(i, files.get(i)),
                "is " + size + " bytes; at most " + maxImage + " bytes per image are accepted"));
      }
    }
    if (total > upload.maxTotalBytes().toBytes()) {
      errors.add(
          new FieldProblem(
              "images",
              "are "
                  + total
                  + " bytes together; at most "
                  + upload.maxTotalBytes().toBytes()
                  + " bytes per request are accepted"));
    }
    return errors;
  }

  /** Each image checked and turned into the PNG that is stored (see {@link ImageInspector}). */
  private List<NewConcept.Image> inspectImages(
      List<MultipartFile> files, List<String> captions, List<FieldProblem> errors) {
    List<NewConcept.Image> images = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      MultipartFile file = files.get(i);
      byte[] bytes = bytesOf(file);
      try {
        ImageInspector.Inspected inspected = ImageInspector.inspect(bytes, upload);
        String caption =
            captions == null || captions.size() != files.size() ? null : text(captions.get(i));
        images.add(
            new NewConcept.Image(
                i,
                file.getOriginalFilename(),
                ImageInspector.Inspected.CONTENT_TYPE,
                inspected.width(),
                inspected.height(),
                caption == null || caption.isBlank() ? null : caption.strip(),
                inspected.png()));
      } catch (ImageInspector.Refused refused) {
        errors.add(new FieldProblem(imageField(i, file), refused.getMessage()));
      }
    }
    return images;
  }

  private static String imageField(int index, MultipartFile file) {
    String name = file.getOriginalFilename();
    return "images[" + index + "]" + (name == null || name.isBlank() ? "" : " (" + name + ")");
  }

  private static <T> T choice(
      String field,
      String value,
      T fallback,
      Function<String, Optional<T>> parse,
      String allowed,
      List<FieldProblem> errors) {
    String given = text(value);
    if (given == null || given.isEmpty()) {
      return fallback;
    }
    Optional<T> parsed = parse.apply(given);
    if (parsed.isEmpty()) {
      errors.add(new FieldProblem(field, "unknown value '" + given + "'; allowed: " + allowed));
      return null;
    }
    return parsed.get();
  }

  private static int inRange(
      String field, Integer value, int min, int max, int fallback, List<FieldProblem> errors) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      errors.add(new FieldProblem(field, "must be between " + min + " and " + max));
    }
    return value;
  }

  private static String text(String value) {
    return value == null ? null : value.strip();
  }

  private static byte[] bytesOf(MultipartFile file) {
    try {
      return file.getBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
