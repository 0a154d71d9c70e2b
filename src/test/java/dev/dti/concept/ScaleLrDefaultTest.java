package dev.dti.concept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.basemodel.ModelProperties;
import dev.dti.basemodel.ModelRegistry;
import dev.dti.database.DatabaseProperties;
import dev.dti.support.Golden;
import dev.dti.support.TestImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.mock.web.MockMultipartFile;

/** scaleLr defaults per base model: off for SD 1.x/2.x, on for SDXL (the authors' SDXL script). */
class ScaleLrDefaultTest {

  @TempDir Path dataDir;

  @Test
  void aRequestWithoutScaleLrScalesTheLearningRateOnAnSdxlModelOnly() {
    assertThat(scaleLrOf(Golden.dir("sdxl_pipeline_tiny"), null)).isTrue();
    assertThat(scaleLrOf(Golden.dir("sdxl_pipeline_tiny"), false)).isFalse();
    assertThat(scaleLrOf(Path.of("models/toy-sd"), null)).isFalse();
  }

  private boolean scaleLrOf(Path modelDir, Boolean scaleLr) {
    var upload =
        new Binder(List.of()).bindOrCreate("dti.upload", Bindable.of(UploadProperties.class));
    var models =
        new ModelRegistry(
            new ModelProperties(modelDir, "model"), new DatabaseProperties(dataDir, 0));
    var validator = new ConceptRequestValidator(upload, models);
    var form =
        new CreateConceptForm(
            List.of(image("one.png"), image("two.png")),
            "Blob",
            "<blob>",
            "a",
            null,
            null,
            null,
            null,
            null,
            7L,
            null,
            scaleLr,
            null,
            null);

    return validator.validate(form).hyperparameters().scaleLr();
  }

  private static MockMultipartFile image(String name) {
    return new MockMultipartFile("images", name, "image/png", TestImages.png(40, 40));
  }
}
