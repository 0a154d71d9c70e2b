package dev.dti.diffusion.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * openai CLIP's byte-level BPE: a word's UTF-8 bytes become printable stand-in characters
 * (bytes_to_unicode), the last one gets the end-of-word mark {@code </w>}, and the adjacent pair
 * with the lowest merge rank is merged until no ranked pair is left.
 */
final class BytePairEncoder {

  static final String END_OF_WORD = "</w>";

  private static final char[] BYTE_TO_CHAR = bytesToUnicode();
  private static final int CACHE_LIMIT = 100_000;

  private final Map<String, Integer> ranks;
  private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

  /** merges in rank order, each "left right". */
  BytePairEncoder(List<String> merges, List<String> unsplittable) {
    Map<String, Integer> ranks = new HashMap<>();
    for (int i = 0; i < merges.size(); i++) {
      ranks.put(merges.get(i), i);
    }
    this.ranks = ranks;
    for (String token : unsplittable) {
      cache.put(token, List.of(token));
    }
  }

  /**
   * openai's bytes_to_unicode: printable Latin-1 bytes map to themselves, the other 68 bytes to
   * U+0100 upwards, so every byte is a visible character and BPE never sees whitespace or controls.
   */
  private static char[] bytesToUnicode() {
    char[] table = new char[256];
    int next = 256;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
      table[b] = printable ? (char) b : (char) next++;
    }
    return table;
  }

  /** The BPE pieces of one pre-tokenized word. */
  List<String> encode(String word) {
    List<String> cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    List<String> pieces = merge(byteCharacters(word));
    if (cache.size() < CACHE_LIMIT) {
      cache.put(word, pieces);
    }
    return pieces;
  }

  private static List<String> byteCharacters(String word) {
    byte[] bytes = word.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<String> symbols = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      symbols.add(String.valueOf(BYTE_TO_CHAR[b & 0xFF]));
    }
    int last = symbols.size() - 1;
    symbols.set(last, symbols.get(last) + END_OF_WORD);
    return symbols;
  }

  private List<String> merge(List<String> symbols) {
    List<String> word = symbols;
    while (word.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      String bestLeft = null;
      String bestRight = null;
      for (int i = 0; i + 1 < word.size(); i++) {
        Integer rank = ranks.get(word.get(i) + " " + word.get(i + 1));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
          bestLeft = word.get(i);
          bestRight = word.get(i + 1);
        }
      }
      if (bestLeft == null) {
        break;
      }
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); i++) {
        if (i + 1 < word.size()
            && word.get(i).equals(bestLeft)
            && word.get(i + 1).equals(bestRight)) {
          merged.add(bestLeft + bestRight);
          i++;
        } else {
          merged.add(word.get(i));
        }
      }
      word = merged;
    }
    return List.copyOf(word);
  }
}
