package dev.dti.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.support.Golden;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Agreement with transformers' CLIPTextModel on the golden folder clip_text (tiny random weights,
 * float32). The README there puts a correct port within 1e-5; 1e-4 is the hard limit.
 */
class CLIPTextModelParityTest {

  private static final double LIMIT = 1e-4;

  private static NDManager manager;
  private static CLIPTextModel model;
  private static SafetensorsFile inputs;
  private static SafetensorsFile outputs;

  @BeforeAll
  static void load() throws Exception {
    Path dir = Golden.dir("clip_text");
    manager = NDManager.newBaseManager();
    model = CLIPTextModel.fromPretrained(dir, manager);
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
  void allHiddenStatesMatchTransformers() throws Exception {
    CLIPTextOutput out = model.forward(inputs.load(manager, "input_ids"));
    assertThat(out.hiddenStates()).hasSize(4);
    assertClose("hidden_states", stack(out), "hidden_states");
  }

  @Test
  void lastHiddenStatePenultimateAndPooledOutputMatchTransformers() throws Exception {
    CLIPTextOutput out = model.forward(inputs.load(manager, "input_ids"));
    assertClose("last_hidden_state", out.lastHiddenState(), "last_hidden_state");
    assertClose("penultimate", out.penultimateHiddenState(), "penultimate_hidden_state");
    assertClose(
        "penultimate + final LN",
        model.finalLayerNorm(out.penultimateHiddenState()),
        "penultimate_hidden_state_final_ln");
    assertClose("pooler_output", out.pooledOutput(), "pooler_output");
  }

  @Test
  void injectedLargeNormRowMatchesTransformersWithTheTableRowReplaced() throws Exception {
    int tokenId = Math.toIntExact(inputs.load(manager, "ti_token_id").toLongArray()[0]);
    NDArray row = inputs.load(manager, "ti_embedding");
    CLIPTextOutput out = model.forward(inputs.load(manager, "input_ids"), Map.of(tokenId, row));
    assertClose("ti_hidden_states", stack(out), "ti_hidden_states");
    assertClose("ti_last_hidden_state", out.lastHiddenState(), "ti_last_hidden_state");
    assertClose("ti_penultimate", out.penultimateHiddenState(), "ti_penultimate_hidden_state");
    assertClose(
        "ti_penultimate + final LN",
        model.finalLayerNorm(out.penultimateHiddenState()),
        "ti_penultimate_hidden_state_final_ln");
    assertClose("ti_pooler_output", out.pooledOutput(), "ti_pooler_output");
  }

  private static NDArray stack(CLIPTextOutput out) {
    return NDArrays.stack(new NDList(out.hiddenStates().toArray(NDArray[]::new)));
  }

  private static void assertClose(String label, NDArray actual, String goldenName)
      throws Exception {
    NDArray expected = outputs.load(manager, goldenName);
    assertThat(actual.getShape()).as(label).isEqualTo(expected.getShape());
    float error = actual.sub(expected).abs().max().getFloat();
    System.out.printf("clip_text parity %-28s max |diff| = %.3e%n", label, error);
    assertThat((double) error).as(label + " max abs error").isLessThanOrEqualTo(LIMIT);
  }
}
