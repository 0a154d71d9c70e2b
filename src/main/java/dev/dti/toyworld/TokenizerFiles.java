package dev.dti.toyworld;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The toy world's CLIP tokenizer files in the diffusers {@code tokenizer/} layout: {@code
 * vocab.json} and {@code merges.txt} in CLIP's BPE format, plus {@code tokenizer_config.json} and
 * {@code special_tokens_map.json}, readable by {@code CLIPTokenizer.from_pretrained}.
 *
 * <p>CLIP splits a word into characters, marks the last one with {@code </w>}, then applies merges
 * in rank order. The vocabulary here holds the 26 lower-case letters with and without {@code </w>}
 * (so an unknown lower-case word still tokenizes, letter by letter), every piece the merges build,
 * which includes each caption word as one whole token {@code word</w>}, and finally {@code
 * <|startoftext|>} and {@code <|endoftext|>}, as in CLIP.
 *
 * <p>Merges are built word by word: run the merges so far on the next word, then chain its
 * remaining pieces left to right. Later merges rank after earlier ones, so they never change how an
 * earlier word is split, and every word ends as a single token.
 */
public final class TokenizerFiles {

  public static final String START_OF_TEXT = "<|startoftext|>";
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String END_OF_WORD = "</w>";

  /** Tokens per prompt including start and end: the longest caption has 12 words. */
  public static final int MAX_LENGTH = 16;

  /** Token ids by token, and the merges in rank order (each a pair of tokens). */
  public record Bpe(Map<String, Integer> vocabulary, List<String[]> merges) {}

  private TokenizerFiles() {}

  /** Writes the tokenizer files for the toy-world vocabulary into the directory. */
  public static void write(Path directory) throws IOException {
    Bpe bpe = build(ToyWorld.vocabulary());
    Files.createDirectories(directory);
    var json = JsonMapper.builder().build().writerWithDefaultPrettyPrinter();
    Files.writeString(directory.resolve("vocab.json"), json.writeValueAsString(bpe.vocabulary()));
    var merges = new StringBuilder("#version: 0.2\n");
    for (String[] merge : bpe.merges()) {
      merges.append(merge[0]).append(' ').append(merge[1]).append('\n');
    }
    Files.writeString(directory.resolve("merges.txt"), merges.toString());
    Map<String, Object> specialTokens = new LinkedHashMap<>();
    specialTokens.put("bos_token", START_OF_TEXT);
    specialTokens.put("eos_token", END_OF_TEXT);
    specialTokens.put("unk_token", END_OF_TEXT);
    specialTokens.put("pad_token", END_OF_TEXT);
    Files.writeString(
        directory.resolve("special_tokens_map.json"), json.writeValueAsString(specialTokens));
    Map<String, Object> config = new LinkedHashMap<>(specialTokens);
    config.put("tokenizer_class", "CLIPTokenizer");
    config.put("model_max_length", MAX_LENGTH);
    config.put("do_lower_case", true);
    Files.writeString(directory.resolve("tokenizer_config.json"), json.writeValueAsString(config));
  }

  /** The vocabulary and merges that make each of the words a single token. */
  public static Bpe build(List<String> words) {
    Map<String, Integer> vocabulary = new LinkedHashMap<>();
    for (char c = 'a'; c <= 'z'; c++) {
      vocabulary.put(String.valueOf(c), vocabulary.size());
    }
    for (char c = 'a'; c <= 'z'; c++) {
      vocabulary.put(c + END_OF_WORD, vocabulary.size());
    }
    List<String[]> merges = new ArrayList<>();
    Map<String, Integer> ranks = new HashMap<>();
    for (String word : words) {
      List<String> pieces = split(word, ranks);
      while (pieces.size() > 1) {
        String[] merge = {pieces.get(0), pieces.get(1)};
        ranks.put(pairKey(merge[0], merge[1]), merges.size());
        merges.add(merge);
        vocabulary.putIfAbsent(merge[0] + merge[1], vocabulary.size());
        pieces = split(word, ranks);
      }
    }
    vocabulary.put(START_OF_TEXT, vocabulary.size());
    vocabulary.put(END_OF_TEXT, vocabulary.size());
    return new Bpe(vocabulary, merges);
  }

  /** CLIP's BPE of one lower-case word: repeatedly merge the adjacent pair of lowest rank. */
  static List<String> split(String word, Map<String, Integer> ranks) {
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < word.length() - 1; i++) {
      pieces.add(String.valueOf(word.charAt(i)));
    }
    pieces.add(word.charAt(word.length() - 1) + END_OF_WORD);
    while (pieces.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String first = null;
      String second = null;
      for (int i = 0; i + 1 < pieces.size(); i++) {
        Integer rank = ranks.get(pairKey(pieces.get(i), pieces.get(i + 1)));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          first = pieces.get(i);
          second = pieces.get(i + 1);
        }
      }
      if (first == null) {
        break;
      }
      List<String> merged = new ArrayList<>();
      for (int i = 0; i < pieces.size(); i++) {
        if (i + 1 < pieces.size()
            && pieces.get(i).equals(first)
            && pieces.get(i + 1).equals(second)) {
          merged.add(first + second);
          i++;
        } else {
          merged.add(pieces.get(i));
        }
      }
      pieces = merged;
    }
    return pieces;
  }

  static String pairKey(String first, String second) {
    return first + ' ' + second;
  }
}
