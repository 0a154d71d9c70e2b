package dev.dti.diffusion.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dti.diffusion.io.SafetensorsFile;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.diffusion.nn.InitializedParameters;
import dev.dti.support.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class CLIPTextModelLoadingTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void configReadsTransformersKeysAndFallsBackToTransformersDefaults() throws Exception {
    CLIPTextConfig golden = CLIPTextConfig.read(Golden.dir("clip_text").resolve("config.json"));
    assertThat(golden)
        .isEqualTo(new CLIPTextConfig(1000, 32, 37, 3, 4, 16, "quick_gelu", 1e-5, 998, 999, 999));
    assertThat(golden.legacyPooling()).isFalse();

    CLIPTextConfig sd2 =
        CLIPTextConfig.fromJson(
            JSON.readTree(
                "{\"hidden_size\":1024,\"num_attention_heads\":16,\"hidden_act\":\"gelu\","
                    + "\"num_hidden_layers\":23,\"eos_token_id\":2}"));
    assertThat(sd2.vocabSize()).isEqualTo(49408);
    assertThat(sd2.maxPositionEmbeddings()).isEqualTo(77);
    assertThat(sd2.headDim()).isEqualTo(64);
    assertThat(sd2.legacyPooling()).isTrue();
  }

  @Test
  void aConfigWithMoreLayersThanTheCheckpointNamesTheMissingTensor(@TempDir Path dir)
      throws Exception {
    copyGoldenWith(dir, "num_hidden_layers", 4);
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> CLIPTextModel.fromPretrained(dir, manager))
          .hasMessageContaining(
              "is missing tensor 'text_model.encoder.layers.3.layer_norm1.weight'");
    }
  }

  @Test
  void aConfigWithAnotherMlpWidthNamesTheMisShapedTensor(@TempDir Path dir) throws Exception {
    copyGoldenWith(dir, "intermediate_size", 38);
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> CLIPTextModel.fromPretrained(dir, manager))
          .hasMessageContaining("'text_model.encoder.layers.0.mlp.fc1.weight'")
          .hasMessageContaining("has shape (37, 32), expected (38, 32)");
    }
  }

  @Test
  void aConfigWithFewerLayersThanTheCheckpointIsRefused(@TempDir Path dir) throws Exception {
    copyGoldenWith(dir, "num_hidden_layers", 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      assertThatThrownBy(() -> CLIPTextModel.fromPretrained(dir, manager))
          .hasMessageContaining("does not use")
          .hasMessageContaining("text_model.encoder.layers.2.mlp.fc1.bias");
    }
  }

  @Test
  void halfPrecisionWeightsAreWidenedAndGiveNearlyTheSameOutput(@TempDir Path dir)
      throws Exception {
    Path golden = Golden.dir("clip_text");
    Files.copy(golden.resolve("config.json"), dir.resolve("config.json"));
    try (NDManager manager = NDManager.newBaseManager();
        var weights = SafetensorsFile.open(golden.resolve("model.safetensors"));
        var inputs = SafetensorsFile.open(golden.resolve("inputs.safetensors"))) {
      Map<String, NDArray> half = new LinkedHashMap<>();
      for (String name : weights.names()) {
        half.put(name, weights.load(manager, name).toType(DataType.FLOAT16, false));
      }
      SafetensorsWriter.write(dir.resolve("model.fp16.safetensors"), half, Map.of());

      NDArray ids = inputs.load(manager, "input_ids");
      NDArray full = CLIPTextModel.fromPretrained(golden, manager).forward(ids).lastHiddenState();
      CLIPTextModel fromHalf = CLIPTextModel.fromPretrained(dir, manager);
      assertThat(fromHalf.parameters().values())
          .allSatisfy(w -> assertThat(w.getDataType()).isEqualTo(DataType.FLOAT32));
      float error = fromHalf.forward(ids).lastHiddenState().sub(full).abs().max().getFloat();
      assertThat(error).isLessThan(2e-2f);
    }
  }

  @Test
  void randomlyInitialisedModelHasTheCheckpointNamesAndRuns() {
    try (NDManager manager = NDManager.newBaseManager()) {
      CLIPTextConfig config =
          new CLIPTextConfig(1000, 32, 37, 3, 4, 16, "gelu", 1e-5, 998, 999, 999);
      CLIPTextModel model = new CLIPTextModel(new InitializedParameters(manager, 1), config);
      assertThat(model.parameters())
          .hasSize(52)
          .containsKeys(
              "text_model.embeddings.token_embedding.weight",
              "text_model.encoder.layers.2.self_attn.out_proj.bias",
              "text_model.final_layer_norm.weight");
      NDArray ids = manager.create(new long[] {998, 5, 999}, new Shape(1, 3));
      assertThat(model.forward(ids).pooledOutput().getShape().getShape()).containsExactly(1, 32);
    }
  }

  private static void copyGoldenWith(Path dir, String key, int value) throws Exception {
    Path golden = Golden.dir("clip_text");
    ObjectNode config = (ObjectNode) JSON.readTree(Files.readString(golden.resolve("config.json")));
    config.put(key, value);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    Files.copy(golden.resolve("model.safetensors"), dir.resolve("model.safetensors"));
  }
}
