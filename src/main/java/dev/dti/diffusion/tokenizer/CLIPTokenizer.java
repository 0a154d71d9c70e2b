package dev.dti.diffusion.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * openai CLIP's tokenizer (clip/simple_tokenizer.py) over a Hugging Face tokenizer folder
 * (vocab.json, merges.txt), plus textual-inversion placeholder tokens.
 *
 * <p>Placeholders are matched in the raw text before any cleaning, case-sensitively and longest
 * first, as transformers matches added tokens. A placeholder registered with n vectors expands to n
 * ids: {@code <tok>} → {@code <tok>}, {@code <tok>_1}, … {@code <tok>_{n-1}} (diffusers'
 * multi-vector convention), numbered from the vocabulary size upwards.
 */
public final class CLIPTokenizer {

  public static final String START_OF_TEXT = "<|startoftext|>";
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** CLIP's context length, and SD's tokenizer_config model_max_length. */
  public static final int DEFAULT_MAX_LENGTH = 77;

  /** openai's pre-tokenizer, applied with IGNORECASE to the cleaned text. */
  private static final Pattern WORDS =
      Pattern.compile(
          "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d"
              + "|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Map<String, Integer> vocab;
  private final BytePairEncoder bpe;
  private final int bosTokenId;
  private final int eosTokenId;
  private final int padTokenId;
  private final int unkTokenId;
  private final int maxLength;
  private final String splitPadToken;
  private final Map<String, Integer> placeholderIds = new LinkedHashMap<>();
  private final Map<String, List<String>> placeholderExpansions = new HashMap<>();

  /**
   * A tokenizer over {@code vocab} and {@code merges} ("left right", in rank order). BPE pieces
   * missing from the vocabulary (only possible with a reduced vocabulary) become the unk token, as
   * in transformers.
   */
  public CLIPTokenizer(
      Map<String, Integer> vocab,
      List<String> merges,
      int padTokenId,
      int unkTokenId,
      int maxLength) {
    this.vocab = Map.copyOf(vocab);
    this.bpe = new BytePairEncoder(merges, List.of(START_OF_TEXT, END_OF_TEXT));
    this.bosTokenId = idOf(START_OF_TEXT);
    this.eosTokenId = idOf(END_OF_TEXT);
    this.padTokenId = padTokenId;
    this.unkTokenId = unkTokenId;
    this.maxLength = maxLength;
    this.splitPadToken = splitPadToken(this.vocab, padTokenId);
  }

  /**
   * The pad token when it is an ordinary vocabulary entry (SDXL's tokenizer_2 and SD 2.x pad with
   * {@code !}): transformers makes every special token unsplittable, so a literal {@code !} in a
   * prompt becomes the pad id, not the BPE piece {@code !</w>}. Null when the pad is {@code
   * <|endoftext|>}, which the pre-tokenizer already keeps whole.
   */
  private static String splitPadToken(Map<String, Integer> vocab, int padTokenId) {
    for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
      if (entry.getValue() == padTokenId) {
        String token = entry.getKey();
        return token.equals(START_OF_TEXT) || token.equals(END_OF_TEXT) ? null : token;
      }
    }
    return null;
  }

  private CLIPTokenizer(CLIPTokenizer base) {
    this.vocab = base.vocab;
    this.bpe = base.bpe;
    this.bosTokenId = base.bosTokenId;
    this.eosTokenId = base.eosTokenId;
    this.padTokenId = base.padTokenId;
    this.unkTokenId = base.unkTokenId;
    this.maxLength = base.maxLength;
    this.splitPadToken = base.splitPadToken;
  }

  /**
   * A tokenizer over the same vocabulary without this one's placeholders: each training or
   * generation request registers its own concepts on its own copy of the model's shared tokenizer.
   */
  public CLIPTokenizer withoutPlaceholders() {
    return new CLIPTokenizer(this);
  }

  /**
   * Reads vocab.json and merges.txt; the pad and unk tokens come from tokenizer_config.json or
   * special_tokens_map.json (SD 1.x pads with {@code <|endoftext|>}, SD 2.x with {@code !} = 0),
   * else {@code <|endoftext|>} as in openai's CLIP and transformers; the length from
   * tokenizer_config's model_max_length, else 77.
   */
  public static CLIPTokenizer fromPretrained(Path folder) throws IOException {
    Map<String, Integer> vocab = new HashMap<>();
    JSON.readTree(Files.readString(folder.resolve("vocab.json")))
        .properties()
        .forEach(e -> vocab.put(e.getKey(), e.getValue().asInt()));
    List<String> merges =
        Files.readAllLines(folder.resolve("merges.txt")).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#version"))
            .toList();
    JsonNode config = readOptional(folder.resolve("tokenizer_config.json"));
    JsonNode specialTokens = readOptional(folder.resolve("special_tokens_map.json"));
    int padId = specialTokenId("pad_token", config, specialTokens, vocab, folder);
    int unkId = specialTokenId("unk_token", config, specialTokens, vocab, folder);
    int maxLength = DEFAULT_MAX_LENGTH;
    JsonNode configured = config.get("model_max_length");
    if (configured != null && configured.isNumber() && configured.asDouble() <= 100_000) {
      maxLength = configured.asInt();
    }
    return new CLIPTokenizer(vocab, merges, padId, unkId, maxLength);
  }

  /** From tokenizer_config.json, else special_tokens_map.json, else {@code <|endoftext|>}. */
  private static int specialTokenId(
      String key, JsonNode config, JsonNode specialTokens, Map<String, Integer> vocab, Path folder)
      throws IOException {
    String token = tokenContent(config.get(key));
    if (token == null) {
      token = tokenContent(specialTokens.get(key));
    }
    if (token == null) {
      token = END_OF_TEXT;
    }
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IOException(key + " '" + token + "' of " + folder + " is not in vocab.json");
    }
    return id;
  }

  private static JsonNode readOptional(Path path) throws IOException {
    return Files.isRegularFile(path)
        ? JSON.readTree(Files.readString(path))
        : JSON.createObjectNode();
  }

  /** A special token is written either as a string or as {"content": …}. */
  private static String tokenContent(JsonNode token) {
    if (token == null || token.isNull()) {
      return null;
    }
    return token.isString() ? token.asString() : token.path("content").asString(null);
  }

  /**
   * Registers a placeholder with {@code vectors} embedding rows and returns their ids, which follow
   * the vocabulary and any earlier placeholders.
   */
  public List<Integer> addPlaceholderToken(String token, int vectors) {
    if (vectors < 1) {
      throw new IllegalArgumentException("a placeholder needs at least one vector, got " + vectors);
    }
    List<String> names = new ArrayList<>(vectors);
    names.add(token);
    for (int i = 1; i < vectors; i++) {
      names.add(token + "_" + i);
    }
    for (String name : names) {
      if (name.isBlank() || tokenId(name).isPresent()) {
        throw new IllegalArgumentException("token '" + name + "' is blank or already exists");
      }
    }
    List<Integer> ids = new ArrayList<>(vectors);
    for (String name : names) {
      int id = size();
      placeholderIds.put(name, id);
      placeholderExpansions.put(name, List.of(name));
      ids.add(id);
    }
    placeholderExpansions.put(token, List.copyOf(names));
    return List.copyOf(ids);
  }

  /** The tokens of {@code text} without bos/eos: BPE pieces and placeholder names. */
  public List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    List<String> unsplittable = new ArrayList<>(placeholderExpansions.keySet());
    if (splitPadToken != null) {
      unsplittable.add(splitPadToken);
    }
    List<String> placeholders =
        unsplittable.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    int plainStart = 0;
    int pos = 0;
    while (pos < text.length()) {
      String match = placeholderAt(text, pos, placeholders);
      if (match == null) {
        pos++;
        continue;
      }
      tokenizePlain(text.substring(plainStart, pos), tokens);
      tokens.addAll(placeholderExpansions.getOrDefault(match, List.of(match)));
      pos += match.length();
      plainStart = pos;
    }
    tokenizePlain(text.substring(plainStart), tokens);
    return tokens;
  }

  private static String placeholderAt(String text, int pos, List<String> longestFirst) {
    for (String placeholder : longestFirst) {
      if (text.startsWith(placeholder, pos)) {
        return placeholder;
      }
    }
    return null;
  }

  private void tokenizePlain(String text, List<String> tokens) {
    Matcher words = WORDS.matcher(normalize(text));
    while (words.find()) {
      tokens.addAll(bpe.encode(words.group()));
    }
  }

  /** bos, the ids of {@code text}, eos: neither truncated nor padded. */
  public int[] encode(String text) {
    List<String> tokens = tokenize(text);
    int[] ids = new int[tokens.size() + 2];
    ids[0] = bosTokenId;
    for (int i = 0; i < tokens.size(); i++) {
      ids[i + 1] = tokenId(tokens.get(i)).orElse(unkTokenId);
    }
    ids[ids.length - 1] = eosTokenId;
    return ids;
  }

  /**
   * Exactly {@link #maxLength()} ids: truncated with eos kept last, then padded with the pad id.
   */
  public int[] encodePadded(String text) {
    int[] ids = encode(text);
    if (ids.length > maxLength) {
      ids = Arrays.copyOf(ids, maxLength);
      ids[maxLength - 1] = eosTokenId;
    }
    int[] padded = Arrays.copyOf(ids, maxLength);
    Arrays.fill(padded, ids.length, maxLength, padTokenId);
    return padded;
  }

  /** The string BPE sees: openai's basic_clean + whitespace_clean, lower-cased. */
  public static String normalize(String text) {
    return TextCleaner.clean(text);
  }

  public OptionalInt tokenId(String token) {
    Integer id = placeholderIds.containsKey(token) ? placeholderIds.get(token) : vocab.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  private int idOf(String token) {
    return tokenId(token)
        .orElseThrow(
            () -> new IllegalStateException("token '" + token + "' is not in the vocabulary"));
  }

  /** The base vocabulary size; placeholder ids start here. */
  public int vocabSize() {
    return vocab.size();
  }

  /** Vocabulary plus registered placeholders. */
  public int size() {
    return vocab.size() + placeholderIds.size();
  }

  public int bosTokenId() {
    return bosTokenId;
  }

  public int eosTokenId() {
    return eosTokenId;
  }

  public int padTokenId() {
    return padTokenId;
  }

  public int unkTokenId() {
    return unkTokenId;
  }

  public int maxLength() {
    return maxLength;
  }
}
