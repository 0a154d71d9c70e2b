package dev.dti.toyworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

class TokenizerFilesTest {

  @Test
  void everyVocabularyWordIsOneWholeWordTokenUnderTheWrittenMerges(@TempDir Path dir)
      throws Exception {
    TokenizerFiles.write(dir);
    Map<String, Integer> vocab = readVocab(dir);
    Map<String, Integer> ranks = readRanks(dir);

    for (String word : ToyWorld.vocabulary()) {
      assertThat(TokenizerFiles.split(word, ranks)).as(word).containsExactly(word + "</w>");
      assertThat(vocab).containsKey(word + "</w>");
    }
  }

  @Test
  void aCaptionBecomesStartOneTokenPerWordAndEnd(@TempDir Path dir) throws Exception {
    TokenizerFiles.write(dir);
    Map<String, Integer> vocab = readVocab(dir);
    Map<String, Integer> ranks = readRanks(dir);

    List<Integer> ids = new ArrayList<>();
    ids.add(vocab.get("<|startoftext|>"));
    for (String word : "a red circle on a blue background".split(" ")) {
      TokenizerFiles.split(word, ranks).forEach(piece -> ids.add(vocab.get(piece)));
    }
    ids.add(vocab.get("<|endoftext|>"));

    assertThat(ids).hasSize(9).doesNotContainNull();
    assertThat(ids.get(1)).isEqualTo(vocab.get("a</w>"));
  }

  @Test
  void specialTokensComeLastAsInClipAndMergesCarryTheVersionHeader(@TempDir Path dir)
      throws Exception {
    TokenizerFiles.write(dir);
    Map<String, Integer> vocab = readVocab(dir);

    assertThat(vocab.get("<|startoftext|>")).isEqualTo(vocab.size() - 2);
    assertThat(vocab.get("<|endoftext|>")).isEqualTo(vocab.size() - 1);
    assertThat(vocab.values()).doesNotHaveDuplicates();
    assertThat(Files.readAllLines(dir.resolve("merges.txt")).get(0)).isEqualTo("#version: 0.2");
    assertThat(Files.readString(dir.resolve("tokenizer_config.json")))
        .contains("\"model_max_length\" : 16");
  }

  @Test
  void anUnnamedShapeWordIsNoSingleTokenButStillTokenizes() {
    var bpe = TokenizerFiles.build(ToyWorld.vocabulary());
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 0; i < bpe.merges().size(); i++) {
      ranks.put(TokenizerFiles.pairKey(bpe.merges().get(i)[0], bpe.merges().get(i)[1]), i);
    }

    List<String> star = TokenizerFiles.split("star", ranks);

    assertThat(star).hasSizeGreaterThan(1);
    assertThat(bpe.vocabulary()).containsKeys(star.toArray(String[]::new));
  }

  private static Map<String, Integer> readVocab(Path dir) throws Exception {
    return JsonMapper.builder()
        .build()
        .readValue(
            dir.resolve("vocab.json").toFile(), new TypeReference<Map<String, Integer>>() {});
  }

  private static Map<String, Integer> readRanks(Path dir) throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("merges.txt"));
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 1; i < lines.size(); i++) {
      ranks.put(lines.get(i), i - 1);
    }
    return ranks;
  }
}
