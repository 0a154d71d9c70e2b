package dev.dti.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.embedding.VocabularyNorms;
import dev.dti.support.Golden;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agreement with transformers' CLIPTextModelWithProjection (SDXL's text_encoder_2 layout: exact
 * gelu, text_projection without bias, argmax pooling) on the golden folder clip_text_projection.
 * The README there puts a correct port within 1e-5; 1e-4 is the hard limit.
 */
class CLIPTextModelWithProjectionParityTest {

  private static final double LIMIT = 1e-4;

  private static NDManager manager;
  private static CLIPTextModelWithProjection model;
  private static SafetensorsFile inputs;
  private static SafetensorsFile outputs;

  @BeforeAll
  static void load() throws Exception {
    Path dir = Golden.dir("clip_text_projection");
    manager = NDManager.newBaseManager();
    model = CLIPTextModelWithProjection.fromPretrained(dir, manager);
    inputs = SafetensorsFile.open(dir.resolve("inputs.safetensors"));
    outputs = SafetensorsFile.open(dir.resolve("outputs.safetensors"));
  }

  @AfterAll
  static void close() throws Exception {
    inputs.close();
    outputs.close();
    manager.close();
  }

  @Test
  void theConfigIsReadWithItsProjectionWidthAndExactGelu() {
    assertThat(model.config().projectionDim()).isEqualTo(24);
    assertThat(model.config().text().hiddenAct()).isEqualTo("gelu");
    assertThat(model.config().text().legacyPooling()).isTrue();
    assertThat(model.parameters()).containsKey("text_projection.weight");
    assertThat(model.parameters()).doesNotContainKey("text_projection.bias");
    assertThat(model.parameters()).hasSize(53); // the position_ids buffer is accepted, not kept
  }

  @Test
  void allHiddenStatesMatchTransformers() throws Exception {
    CLIPTextModelOutput out = model.forward(inputs.load(manager, "input_ids"));
    assertThat(out.hiddenStates()).hasSize(4);
    assertClose(
        "hidden_states",
        NDArrays.stack(new NDList(out.hiddenStates().toArray(NDArray[]::new))),
        "hidden_states");
  }

  @Test
  void lastPenultimatePooledAndTextEmbedsMatchTransformers() throws Exception {
    NDArray ids = inputs.load(manager, "input_ids");
    CLIPTextModelOutput out = model.forward(ids);
    assertClose("last_hidden_state", out.lastHiddenState(), "last_hidden_state");
    assertClose("penultimate", out.penultimateHiddenState(), "penultimate_hidden_state");
    assertClose("pooler_output", out.pooledOutput(), "pooler_output");
    assertClose("text_embeds", out.textEmbeds(), "text_embeds");
    assertThat(model.pooledIndices(ids)).containsExactly(6, 12);
  }

  @Test
  void anAddedTokenAboveTheVocabularyIsPooledAtItsOwnPosition() throws Exception {
    NDArray ids = inputs.load(manager, "input_ids_added_token");
    // 999 is the last row of this 1000-row table: the golden's stand-in for an added token.
    CLIPTextModelOutput out = model.forward(ids);
    assertThat(model.pooledIndices(ids))
        .containsExactly(
            Math.toIntExact(outputs.load(manager, "added_token.pooled_index").toLongArray()[0]))
        .containsExactly(4);
    assertClose("added last", out.lastHiddenState(), "added_token.last_hidden_state");
    assertClose(
        "added penultimate", out.penultimateHiddenState(), "added_token.penultimate_hidden_state");
    assertClose("added pooler_output", out.pooledOutput(), "added_token.pooler_output");
    assertClose("added text_embeds", out.textEmbeds(), "added_token.text_embeds");
  }

  @Test
  void aPlaceholderAboveTheVocabularyWithInjectedRowGivesTheAddedTokenOutputs() throws Exception {
    long[] ids = inputs.load(manager, "input_ids_added_token").toLongArray();
    for (int t = 0; t < ids.length; t++) {
      ids[t] = ids[t] == 999 ? 1000 : ids[t]; // a placeholder id outside the 1000-row table
    }
    NDArray placeholderIds = manager.create(ids).reshape(1, ids.length);
    NDArray row = model.tokenEmbedding().get(999).duplicate();
    CLIPTextModelOutput out = model.forward(placeholderIds, Map.of(1000, row));
    assertThat(model.pooledIndices(placeholderIds)).containsExactly(4);
    assertClose(
        "injected penultimate",
        out.penultimateHiddenState(),
        "added_token.penultimate_hidden_state");
    assertClose("injected text_embeds", out.textEmbeds(), "added_token.text_embeds");
  }

  @Test
  void vocabularyMeanNormSkipsTheZeroRows() throws Exception {
    double expected = Golden.float64(outputs, "vocab_mean_norm");
    double m = VocabularyNorms.meanNorm(model.tokenEmbedding());
    System.out.printf("clip_text_projection m = %.12f (golden %.12f)%n", m, expected);
    assertThat(Math.abs(m - expected) / expected).isLessThanOrEqualTo(1e-12);
    assertThat(m)
        .isNotCloseTo(
            Golden.float64(outputs, "vocab_mean_norm_all_rows"),
            org.assertj.core.data.Offset.offset(1e-4));
  }

  private static void assertClose(String label, NDArray actual, String goldenName)
      throws Exception {
    NDArray expected = outputs.load(manager, goldenName);
    assertThat(actual.getShape()).as(label).isEqualTo(expected.getShape());
    float error = actual.sub(expected).abs().max().getFloat();
    System.out.printf("clip_text_projection parity %-22s max |diff| = %.3e%n", label, error);
    assertThat((double) error).as(label + " max abs error").isLessThanOrEqualTo(LIMIT);
  }
}
