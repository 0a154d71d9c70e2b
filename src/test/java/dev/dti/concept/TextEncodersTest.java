package dev.dti.concept;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.embedding.file.EmbeddingFile;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextEncodersTest {

  static final Map<String, Integer> SD15 = Map.of(TEXT_ENCODER, 768);
  static final Map<String, Integer> SDXL = new LinkedHashMap<>();

  static {
    SDXL.put(TEXT_ENCODER, 768);
    SDXL.put(TEXT_ENCODER_2, 1280);
  }

  static EmbeddingFile sd(int d) {
    return new EmbeddingFile("<a>", new float[2][d], Map.of());
  }

  static EmbeddingFile xl(int l, int g) {
    return EmbeddingFile.xl("<a>", new float[2][l], new float[2][g], Map.of());
  }

  @Test
  void filesWithTheModelsEncodersAndWidthsFit() {
    assertThat(TextEncoders.misfit(sd(768), SD15)).isNull();
    assertThat(TextEncoders.misfit(xl(768, 1280), SDXL)).isNull();
  }

  @Test
  void anSd1FileForAnSdxlModelIsRefusedNamingBothEncodersWidths() {
    assertThat(TextEncoders.misfit(sd(768), SDXL))
        .isEqualTo(
            "This file has rows 768 wide for one text encoder (an SD 1.x/2.x embedding); the"
                + " model is SDXL and needs clip_l 768 and clip_g 1280.");
  }

  @Test
  void anSdxlFileForAnSd1ModelIsRefusedNamingTheWidths() {
    assertThat(TextEncoders.misfit(xl(768, 1280), SD15))
        .isEqualTo(
            "This file is an SDXL embedding with rows clip_l 768 wide and clip_g 1280 wide; the"
                + " model has one text encoder, 768 wide (SD 1.x/2.x), and needs a"
                + " single-encoder file.");
  }

  @Test
  void anSdxlFileWithOtherWidthsIsRefusedNamingWhatTheModelNeeds() {
    assertThat(TextEncoders.misfit(xl(16, 24), SDXL))
        .isEqualTo(
            "This file has rows clip_l 16 wide and clip_g 24 wide; the model is SDXL and needs"
                + " clip_l 768 and clip_g 1280 (it was made for another model family).");
  }

  @Test
  void anSdFileOfAnotherWidthKeepsTheSdMessage() {
    assertThat(TextEncoders.misfit(sd(1024), SD15))
        .isEqualTo(
            "The embedding has 1024-dimensional rows, but this model's text encoder uses 768 (it"
                + " was made for another model family).");
  }
}
