package dev.dti.embedding;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Interpolation of SDXL embeddings: encoder by encoder, each with its own m. */
class SdxlInterpolationTest {

  /** The tiny SDXL golden's m: text_encoder 0.0788744148, text_encoder_2 0.0968888011. */
  static final double M_L = 0.0788744148;

  static final double M_G = 0.0968888011;

  static float[][] rows(long seed, int n, int d, double norm) {
    Random random = new Random(seed);
    float[][] rows = new float[n][d];
    for (float[] row : rows) {
      double sum = 0;
      for (int i = 0; i < d; i++) {
        row[i] = (float) random.nextGaussian();
        sum += row[i] * row[i];
      }
      for (int i = 0; i < d; i++) {
        row[i] = (float) (row[i] * norm / Math.sqrt(sum));
      }
    }
    return rows;
  }

  static Embedding xl(long seed, double normL, double normG) {
    return Embedding.builder(UUID.randomUUID(), UUID.randomUUID())
        .encoder(TEXT_ENCODER, rows(seed, 2, 16, normL), M_L)
        .encoder(TEXT_ENCODER_2, rows(seed + 100, 2, 24, normG), M_G)
        .method(TrainingMethod.DTI)
        .baseModelId("sdxl")
        .build();
  }

  static Embedding sd(long seed) {
    return Embedding.builder(UUID.randomUUID(), UUID.randomUUID())
        .encoder(TEXT_ENCODER, rows(seed, 2, 16, M_L), M_L)
        .method(TrainingMethod.DTI)
        .baseModelId("sd15")
        .build();
  }

  @Test
  void dtiInterpolationOfTwoSdxlConceptsGivesRowsForBothEncodersEachAtItsOwnM() {
    Embedding a = xl(1, M_L, M_G);
    Embedding b = xl(2, M_L, M_G);

    for (double t : new double[] {0.1, 0.25, 0.5, 0.9}) {
      Map<String, float[][]> mid =
          SphericalInterpolation.interpolateEncoders(List.of(a, b), new double[] {1 - t, t}, true);

      assertThat(mid.keySet()).containsExactly(TEXT_ENCODER, TEXT_ENCODER_2);
      assertThat(mid.get(TEXT_ENCODER)).hasDimensions(2, 16);
      assertThat(mid.get(TEXT_ENCODER_2)).hasDimensions(2, 24);
      for (int k = 0; k < 2; k++) {
        assertThat(Rows.norm(mid.get(TEXT_ENCODER)[k])).isCloseTo(M_L, within(1e-7));
        assertThat(Rows.norm(mid.get(TEXT_ENCODER_2)[k])).isCloseTo(M_G, within(1e-7));
      }
    }
  }

  @Test
  void eachEncodersRowsAreTheSlerpOfThatEncodersRowsAlone() {
    Embedding a = xl(3, M_L, M_G);
    Embedding b = xl(4, M_L, M_G);

    Map<String, float[][]> mid =
        SphericalInterpolation.interpolateEncoders(List.of(a, b), new double[] {0.7, 0.3}, true);

    for (String encoder : List.of(TEXT_ENCODER, TEXT_ENCODER_2)) {
      double m = a.encoder(encoder).normM();
      for (int k = 0; k < 2; k++) {
        assertThat(mid.get(encoder)[k])
            .containsExactly(
                SphericalInterpolation.slerp(
                    a.rows(encoder)[k], b.rows(encoder)[k], 0.3, OptionalDouble.of(m)));
      }
    }
  }

  @Test
  void tiInterpolationMixesEachEncodersOwnNorms() {
    Embedding a = xl(5, 0.5, 2.0);
    Embedding b = xl(6, 1.5, 4.0);

    Map<String, float[][]> mid =
        SphericalInterpolation.interpolateEncoders(List.of(a, b), new double[] {0.5, 0.5}, false);

    assertThat(Rows.norm(mid.get(TEXT_ENCODER)[0])).isCloseTo(1.0, within(1e-6));
    assertThat(Rows.norm(mid.get(TEXT_ENCODER_2)[0])).isCloseTo(3.0, within(1e-6));
  }

  @Test
  void theEndsAreEachConceptsRowsExactly() {
    Embedding a = xl(7, M_L, M_G);
    Embedding b = xl(8, M_L, M_G);

    Map<String, float[][]> end =
        SphericalInterpolation.interpolateEncoders(List.of(a, b), new double[] {0, 1}, true);

    assertThat(end.get(TEXT_ENCODER)).isDeepEqualTo(b.rows(TEXT_ENCODER));
    assertThat(end.get(TEXT_ENCODER_2)).isDeepEqualTo(b.rows(TEXT_ENCODER_2));
  }

  @Test
  void anSdConceptAndAnSdxlConceptAreNotInterpolated() {
    assertThatThrownBy(
            () ->
                SphericalInterpolation.interpolateEncoders(
                    List.of(sd(9), xl(10, M_L, M_G)), new double[] {0.5, 0.5}, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot interpolate an embedding with rows for [text_encoder] with one with rows for"
                + " [text_encoder, text_encoder_2]: an SD 1.x/2.x concept (one text encoder) and"
                + " an SDXL concept (two) do not share a sphere");
  }

  @Test
  void anSdEmbeddingInterpolatesAsBefore() {
    Embedding a = sd(11);
    Embedding b = sd(12);

    Map<String, float[][]> mid =
        SphericalInterpolation.interpolateEncoders(List.of(a, b), new double[] {0.5, 0.5}, true);

    assertThat(mid.keySet()).containsExactly(TEXT_ENCODER);
    assertThat(mid.get(TEXT_ENCODER))
        .isDeepEqualTo(
            SphericalInterpolation.interpolate(
                List.of(a.rows(TEXT_ENCODER), b.rows(TEXT_ENCODER)),
                new double[] {0.5, 0.5},
                OptionalDouble.of(M_L)));
  }

  @Test
  void aFailureNamesTheEncoder() {
    Embedding a = xl(13, M_L, M_G);
    float[][] opposite = new float[2][24];
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < 24; i++) {
        opposite[k][i] = -a.rows(TEXT_ENCODER_2)[k][i];
      }
    }
    Embedding b =
        Embedding.builder(UUID.randomUUID(), UUID.randomUUID())
            .encoder(TEXT_ENCODER, a.rows(TEXT_ENCODER), M_L)
            .encoder(TEXT_ENCODER_2, opposite, M_G)
            .method(TrainingMethod.DTI)
            .baseModelId("sdxl")
            .build();

    assertThatThrownBy(
            () ->
                SphericalInterpolation.interpolateEncoders(
                    List.of(a, b), new double[] {0.5, 0.5}, true))
        .hasMessage(
            "text_encoder_2 vector 0: the rows point in opposite directions, so no unique great"
                + " circle joins them");
  }
}
