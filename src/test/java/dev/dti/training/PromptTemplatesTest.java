package dev.dti.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.concept.TemplateSet;
import dev.dti.embedding.TrainingMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplatesTest {

  @Test
  void aModelWithoutItsOwnTemplatesTrainsWithTheTextualInversionLists(@TempDir Path model) {
    assertThat(TemplateSet.OBJECT.forModel(model)).hasSize(27).contains("a photo of a {}");
    assertThat(TemplateSet.STYLE.forModel(model)).hasSize(19);
  }

  @Test
  void aModelsPromptTemplatesFileReplacesTheListsItNames(@TempDir Path model) throws IOException {
    Files.writeString(
        model.resolve(TemplateSet.MODEL_FILE), "{\"object\": [\"a {}\", \"one {} here\"]}");

    assertThat(TemplateSet.OBJECT.forModel(model)).containsExactly("a {}", "one {} here");
    assertThat(TemplateSet.STYLE.forModel(model)).hasSize(19);
  }

  @Test
  void aTemplateFileThatCannotServeIsRefusedWithItsReason(@TempDir Path model) throws IOException {
    Path file = model.resolve(TemplateSet.MODEL_FILE);
    for (var bad :
        List.of(
            List.of("{\"object\": [\"no placeholder\"]}", "must contain {} once"),
            List.of("{\"object\": [\"{} and {}\"]}", "must contain {} once"),
            List.of("{\"object\": []}", "non-empty list"),
            List.of("{\"object\": \"a {}\"}", "non-empty list"),
            List.of("{not json", "is not JSON"))) {
      Files.writeString(file, bad.get(0));
      assertThatThrownBy(() -> TemplateSet.OBJECT.forModel(model))
          .as(bad.get(0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(bad.get(1));
    }
  }

  @Test
  void aCaptionFillsTheTokenIntoTheTemplatesInTurn() {
    var request =
        new TrainingRequest(
            TrainingMethod.DTI,
            "<c>",
            "object",
            null,
            1,
            0.01,
            false,
            1e-4,
            0,
            1,
            0,
            TemplateSet.OBJECT,
            null,
            List.of());

    assertThat(request.caption(0, 1, List.of("a {}", "one {} here"))).isEqualTo("one <c> here");
    assertThat(request.caption(0, 2, List.of("a {}", "one {} here"))).isEqualTo("a <c>");
  }
}
