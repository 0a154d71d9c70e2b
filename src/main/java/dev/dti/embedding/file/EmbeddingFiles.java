package dev.dti.embedding.file;

import static dev.dti.embedding.Embedding.TEXT_ENCODER;
import static dev.dti.embedding.Embedding.TEXT_ENCODER_2;

import dev.dti.diffusion.io.SafetensorsBytes;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.embedding.file.RestrictedUnpickler.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes embeddings as portable safetensors files and reads the embedding files other tools make,
 * without executing anything from them. See docs/embeddings.md for the formats and the rules.
 */
public final class EmbeddingFiles {

  /** Uploads and archive contents larger than this are refused. */
  public static final int MAX_FILE_BYTES = 10 * 1024 * 1024;

  /** The tensor name of A1111-style and kohya-ss safetensors embeddings. */
  public static final String EMB_PARAMS = "emb_params";

  /**
   * The tensor name prefix of an A1111 {@code .pt} flattened into safetensors ({@code
   * string_to_param.*}); A1111 names such a file's embedding after the file, as for {@code
   * emb_params}.
   */
  static final String FLAT_STRING_TO_PARAM = "string_to_param.";

  static final String CLIP_L = "clip_l";
  static final String CLIP_G = "clip_g";

  /** Metadata key holding the token in the files this service writes as {@code emb_params}. */
  public static final String TOKEN_METADATA = "dti.token";

  private EmbeddingFiles() {}

  /**
   * The names of the diffusers pair of an SDXL embedding, as the DTI authors' SDXL script and
   * diffusers' SDXL textual-inversion example write them: one {@code {token: [n, d]}} file per text
   * encoder.
   */
  public static final Map<String, String> DIFFUSERS_PAIR =
      Map.of(
          TEXT_ENCODER,
          "learned_embeds.safetensors",
          TEXT_ENCODER_2,
          "learned_embeds_2.safetensors");

  /** The name of the usage note in the diffusers zip of an SDXL embedding. */
  static final String PAIR_README = "README.txt";

  /**
   * The file for {@code format}: float32 rows, metadata {@code format=pt} plus the embedding's own
   * metadata; for {@code emb_params} and SDXL {@code clip_l}/{@code clip_g} files also {@code name}
   * (the name A1111 and kohya derive from the suggested filename) and {@code dti.token}.
   *
   * <ul>
   *   <li>SD 1.x/2.x: diffusers {@code {"<token>": [n, d]}}; a1111 and kohya {@code {"emb_params":
   *       [n, d]}}.
   *   <li>SDXL: a1111 and kohya {@code {"clip_g": [n, d_g], "clip_l": [n, d_l]}} (the order the
   *       safetensors library writes: by name); diffusers a zip of {@value #PAIR_README} and the
   *       pair {@code learned_embeds.safetensors} (text_encoder) and {@code
   *       learned_embeds_2.safetensors} (text_encoder_2), each {@code {"<token>": [n, d]}}.
   * </ul>
   */
  public static byte[] write(EmbeddingFormat format, EmbeddingFile file) {
    if (file.isXL()) {
      return format == EmbeddingFormat.DIFFUSERS ? diffusersPairZip(file) : clipLAndG(file);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    String tensorName;
    if (format == EmbeddingFormat.DIFFUSERS) {
      tensorName = diffusersKey(file);
    } else {
      tensorName = EMB_PARAMS;
      metadata.put("name", EmbeddingFormat.filenameStem(file.token()));
      metadata.put(TOKEN_METADATA, file.token());
    }
    file.metadata().forEach(metadata::putIfAbsent);
    var tensor =
        new SafetensorsWriter.Float32(
            new long[] {file.vectors(), file.dimension()}, file.flatRows(TEXT_ENCODER));
    return SafetensorsWriter.float32ToBytes(Map.of(tensorName, tensor), metadata);
  }

  /**
   * The diffusers file of one text encoder of the embedding: {@code {"<token>": [n, d]}} with
   * metadata {@code format=pt} and the embedding's own, which {@code load_textual_inversion(file,
   * text_encoder=…, tokenizer=…)} loads into that encoder. For an SDXL embedding these are the two
   * files of its diffusers pair.
   */
  public static byte[] writeDiffusers(EmbeddingFile file, String encoder) {
    return write(EmbeddingFormat.DIFFUSERS, file.only(encoder));
  }

  private static String diffusersKey(EmbeddingFile file) {
    if (file.token().equals("__metadata__")) {
      throw new EmbeddingFormatException("__metadata__ cannot be a token in safetensors");
    }
    return file.token();
  }

  private static byte[] clipLAndG(EmbeddingFile file) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("name", EmbeddingFormat.filenameStem(file.token()));
    metadata.put(TOKEN_METADATA, file.token());
    file.metadata().forEach(metadata::putIfAbsent);
    Map<String, SafetensorsWriter.Float32> tensors = new LinkedHashMap<>();
    for (String encoder : List.of(TEXT_ENCODER_2, TEXT_ENCODER)) { // clip_g, clip_l: by name
      tensors.put(
          EmbeddingFile.fileName(encoder),
          new SafetensorsWriter.Float32(
              new long[] {file.vectors(), file.dimension(encoder)}, file.flatRows(encoder)));
    }
    return SafetensorsWriter.float32ToBytes(tensors, metadata);
  }

  private static byte[] diffusersPairZip(EmbeddingFile file) {
    diffusersKey(file);
    var out = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(out)) {
      addEntry(zip, PAIR_README, pairReadme(file.token()).getBytes(StandardCharsets.UTF_8));
      for (String encoder : List.of(TEXT_ENCODER, TEXT_ENCODER_2)) {
        addEntry(zip, DIFFUSERS_PAIR.get(encoder), writeDiffusers(file, encoder));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void addEntry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }

  private static String pairReadme(String token) {
    String quoted = token.replace("\\", "\\\\").replace("\"", "\\\"");
    return "An SDXL textual-inversion embedding for the token "
        + token
        + ", one file per text encoder.\n"
        + "Load both into a diffusers StableDiffusionXLPipeline:\n\n"
        + "  pipe.load_textual_inversion(\"learned_embeds.safetensors\", token=\""
        + quoted
        + "\",\n"
        + "      text_encoder=pipe.text_encoder, tokenizer=pipe.tokenizer)\n"
        + "  pipe.load_textual_inversion(\"learned_embeds_2.safetensors\", token=\""
        + quoted
        + "\",\n"
        + "      text_encoder=pipe.text_encoder_2, tokenizer=pipe.tokenizer_2)\n\n"
        + "then write "
        + token
        + " in the prompt. AUTOMATIC1111 and ComfyUI load the format=a1111 download\n"
        + "({\"clip_g\", \"clip_l\"}) instead.\n";
  }

  /**
   * Reads an embedding file, recognising its kind from its content, not its name: safetensors with
   * one {@code {token: tensor}} or an {@code emb_params} tensor, or a PyTorch zip archive ({@code
   * .pt}, {@code .bin}) holding an A1111 {@code string_to_param} dict, a kohya {@code emb_params}
   * dict or a diffusers {@code {token: tensor}} dict. The filename only supplies the token where
   * the file has none (A1111 and kohya name embeddings after the file); it may be null.
   *
   * @throws EmbeddingFormatException when the bytes are not such a file, are damaged, exceed the
   *     bounds, or would need code to be executed to be read
   */
  public static EmbeddingFile read(byte[] bytes, String filename) {
    if (bytes == null || bytes.length == 0) {
      throw new EmbeddingFormatException("the file is empty");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new EmbeddingFormatException(
          "the file has " + bytes.length + " bytes; embedding files are at most 10 MB");
    }
    if (SafetensorsBytes.looksLikeSafetensors(bytes)) {
      return readSafetensors(bytes, filename);
    }
    if (ZipEntries.looksLikeZip(bytes)) {
      return readTorchArchive(bytes, filename);
    }
    if ((bytes[0] & 0xFF) == 0x80) {
      throw new EmbeddingFormatException(
          "a legacy (pre-zip) PyTorch pickle: reading it would require executing code; refused."
              + " Re-save it with a current torch.save, or as safetensors");
    }
    throw new EmbeddingFormatException(
        "not an embedding file: expected safetensors or a PyTorch .pt/.bin zip archive");
  }

  private static EmbeddingFile readSafetensors(byte[] bytes, String filename) {
    SafetensorsBytes file;
    try {
      file = SafetensorsBytes.parse(bytes);
    } catch (IOException e) {
      throw new EmbeddingFormatException("damaged safetensors file: " + e.getMessage(), e);
    }
    if (file.names().contains(CLIP_L) || file.names().contains(CLIP_G)) {
      return readClipLAndG(file, filename);
    }
    if (file.names().size() != 1) {
      throw new EmbeddingFormatException(
          "not an embedding file: it holds "
              + file.names().size()
              + " tensors "
              + names(file.names())
              + "; an embedding file holds one");
    }
    String name = file.names().iterator().next();
    SafetensorsBytes.Entry entry = file.entry(name);
    int[] nd = rowsShape(name, entry.shape());
    float[] values;
    try {
      values = file.floats(name);
    } catch (IOException e) {
      throw new EmbeddingFormatException(e.getMessage(), e);
    }
    String token;
    if (name.equals(EMB_PARAMS)) {
      token = tokenFor(file.metadata().get(TOKEN_METADATA), filename, file.metadata().get("name"));
    } else if (name.startsWith(FLAT_STRING_TO_PARAM)) {
      token = tokenFor(null, filename, file.metadata().get("name"));
    } else {
      token = name;
    }
    return new EmbeddingFile(token, rows(values, nd), file.metadata());
  }

  private static EmbeddingFile readTorchArchive(byte[] bytes, String filename) {
    Map<String, byte[]> entries = ZipEntries.read(bytes, MAX_FILE_BYTES);
    return readTorchArchive(entries, filename);
  }

  private static EmbeddingFile readTorchArchive(Map<String, byte[]> entries, String filename) {
    String pickle = null;
    for (String name : entries.keySet()) {
      if (name.endsWith("/constants.pkl") || name.contains("/code/")) {
        throw new EmbeddingFormatException(
            "a TorchScript archive, not an embedding file: loading it would require executing code;"
                + " refused");
      }
      if (name.endsWith("data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        if (pickle != null) {
          throw new EmbeddingFormatException("the archive holds more than one data.pkl");
        }
        pickle = name;
      }
    }
    if (pickle == null) {
      return readDiffusersPair(entries);
    }
    String prefix = pickle.substring(0, pickle.length() - "data.pkl".length());
    byte[] byteorder = entries.get(prefix + "byteorder");
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    if (byteorder != null && new String(byteorder, StandardCharsets.US_ASCII).equals("big")) {
      order = ByteOrder.BIG_ENDIAN;
    }
    Object root =
        RestrictedUnpickler.load(
            entries.get(pickle), key -> entries.get(prefix + "data/" + key), order);
    if (!(root instanceof Map<?, ?> dict)) {
      throw new EmbeddingFormatException(
          "not an embedding file: the archive holds a " + pythonType(root) + ", not a dict");
    }
    if (dict.containsKey(CLIP_L) || dict.containsKey(CLIP_G)) {
      return clipLAndG(dict, filename);
    }
    if (dict.containsKey("string_to_param")) {
      return a1111(dict, filename);
    }
    if (dict.containsKey(EMB_PARAMS)) {
      Tensor tensor = tensor(EMB_PARAMS, dict.get(EMB_PARAMS));
      return new EmbeddingFile(
          tokenFor(null, filename, null),
          rows(tensor),
          textMetadata(dict, List.of("name", "step")));
    }
    if (dict.size() == 1 && dict.keySet().iterator().next() instanceof String token) {
      Tensor tensor = tensor(token, dict.get(token));
      return new EmbeddingFile(token, rows(tensor), Map.of());
    }
    throw new EmbeddingFormatException(
        "not an embedding file: expected 'string_to_param' (A1111), 'emb_params' (kohya) or a"
            + " single {token: tensor} (diffusers)");
  }

  /** {'string_to_token': {'*': 265}, 'string_to_param': {'*': tensor}, 'name': ..., 'step': ...} */
  private static EmbeddingFile a1111(Map<?, ?> dict, String filename) {
    if (!(dict.get("string_to_param") instanceof Map<?, ?> params)) {
      throw new EmbeddingFormatException("'string_to_param' is not a dict of tensors");
    }
    if (params.size() != 1) {
      throw new EmbeddingFormatException(
          "the embedding file has " + params.size() + " terms in string_to_param; expected one");
    }
    Tensor tensor = tensor("string_to_param", params.values().iterator().next());
    Object name = dict.get("name");
    String token = tokenFor(null, filename, name instanceof String s ? s : null);
    return new EmbeddingFile(
        token,
        rows(tensor),
        textMetadata(dict, List.of("name", "step", "sd_checkpoint", "sd_checkpoint_name")));
  }

  private static Tensor tensor(String where, Object value) {
    if (!(value instanceof Tensor tensor)) {
      throw new EmbeddingFormatException(
          "'"
              + RestrictedUnpickler.printable(where)
              + "' holds a "
              + pythonType(value)
              + ", not a tensor");
    }
    rowsShape(where, tensor.shape());
    return tensor;
  }

  /** [d] is one vector, [n, d] is n; anything else is not an embedding. Returns {n, d}. */
  private static int[] rowsShape(String where, long[] shape) {
    long n;
    long d;
    if (shape.length == 1) {
      n = 1;
      d = shape[0];
    } else if (shape.length == 2) {
      n = shape[0];
      d = shape[1];
    } else {
      throw new EmbeddingFormatException(
          "tensor '"
              + RestrictedUnpickler.printable(where)
              + "' has shape "
              + Arrays.toString(shape)
              + "; an embedding is [n, d] or [d]");
    }
    if (n < 1 || n > EmbeddingFile.MAX_VECTORS) {
      throw new EmbeddingFormatException(
          "the embedding has "
              + n
              + " vectors; 1 to "
              + EmbeddingFile.MAX_VECTORS
              + " are allowed");
    }
    if (d < 1 || d > EmbeddingFile.MAX_DIMENSION) {
      throw new EmbeddingFormatException(
          "the embedding dimension is " + d + "; it must be 1 to " + EmbeddingFile.MAX_DIMENSION);
    }
    return new int[] {(int) n, (int) d};
  }

  private static float[][] rows(Tensor tensor) {
    return rows(tensor.values(), rowsShape("tensor", tensor.shape()));
  }

  private static float[][] rows(float[] values, int[] nd) {
    float[][] rows = new float[nd[0]][];
    for (int r = 0; r < nd[0]; r++) {
      rows[r] = Arrays.copyOfRange(values, r * nd[1], (r + 1) * nd[1]);
    }
    return rows;
  }

  /** The token: what the file says, else the file's name as A1111 does, else a name inside. */
  private static String tokenFor(String stored, String filename, String inner) {
    if (stored != null && !stored.isBlank()) {
      return stored;
    }
    String stem = stem(filename);
    if (stem != null) {
      return stem;
    }
    if (inner != null && !inner.isBlank()) {
      return inner;
    }
    throw new EmbeddingFormatException(
        "the embedding file does not name its token; pass the filename it was saved under");
  }

  static String stem(String filename) {
    if (filename == null) {
      return null;
    }
    String base =
        filename.substring(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
    int dot = base.lastIndexOf('.');
    String stem = dot > 0 ? base.substring(0, dot) : base;
    return stem.isBlank() ? null : stem;
  }

  /** Scalar entries of the pickle as text, Python-style (None left out). */
  private static Map<String, String> textMetadata(Map<?, ?> dict, List<String> keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : keys) {
      Object value = dict.get(key);
      if (value instanceof String || value instanceof Long || value instanceof Double) {
        out.put(key, value.toString());
      } else if (value instanceof Boolean b) {
        out.put(key, b ? "True" : "False");
      }
    }
    return out;
  }

  private static String pythonType(Object value) {
    return switch (value) {
      case null -> "None";
      case String s -> "str";
      case Long l -> "int";
      case Double d -> "float";
      case Boolean b -> "bool";
      case Map<?, ?> m -> "dict";
      case List<?> l -> "list";
      case RestrictedUnpickler.Tuple t -> "tuple";
      case Tensor t -> "tensor";
      default -> "object";
    };
  }

  private static String names(Iterable<String> names) {
    List<String> shown = new ArrayList<>();
    for (String name : names) {
      if (shown.size() == 5) {
        shown.add("…");
        break;
      }
      shown.add(RestrictedUnpickler.printable(name));
    }
    return shown.toString();
  }

  /**
   * {@code {"clip_g": [n, d_g], "clip_l": [n, d_l]}}, A1111's, ComfyUI's and kohya's SDXL layout;
   * the token as for {@code emb_params}.
   */
  private static EmbeddingFile readClipLAndG(SafetensorsBytes file, String filename) {
    requireClipLAndG(file.names());
    Map<String, float[][]> rows = new LinkedHashMap<>();
    for (String encoder : List.of(TEXT_ENCODER, TEXT_ENCODER_2)) {
      String name = EmbeddingFile.fileName(encoder);
      int[] nd = rowsShape(name, file.entry(name).shape());
      try {
        rows.put(encoder, rows(file.floats(name), nd));
      } catch (IOException e) {
        throw new EmbeddingFormatException(e.getMessage(), e);
      }
    }
    String token =
        tokenFor(file.metadata().get(TOKEN_METADATA), filename, file.metadata().get("name"));
    return new EmbeddingFile(token, rows, file.metadata());
  }

  /** The same layout saved with torch.save, as kohya does for a .pt and A1111 reads. */
  private static EmbeddingFile clipLAndG(Map<?, ?> dict, String filename) {
    List<String> keys = new ArrayList<>();
    for (Object key : dict.keySet()) {
      keys.add(key instanceof String s ? s : String.valueOf(key));
    }
    requireClipLAndG(keys);
    Map<String, float[][]> rows = new LinkedHashMap<>();
    for (String encoder : List.of(TEXT_ENCODER, TEXT_ENCODER_2)) {
      String name = EmbeddingFile.fileName(encoder);
      rows.put(encoder, rows(tensor(name, dict.get(name))));
    }
    return new EmbeddingFile(tokenFor(null, filename, null), rows, Map.of());
  }

  private static void requireClipLAndG(java.util.Collection<String> names) {
    Set<String> expected = Set.of(CLIP_L, CLIP_G);
    if (!names.containsAll(expected)) {
      String present = names.contains(CLIP_L) ? CLIP_L : CLIP_G;
      String missing = present.equals(CLIP_L) ? CLIP_G : CLIP_L;
      throw new EmbeddingFormatException(
          "the SDXL embedding has "
              + present
              + " but no "
              + missing
              + "; an SDXL embedding holds rows for both text encoders (clip_l and clip_g)");
    }
    if (names.size() != 2) {
      List<String> others = names.stream().filter(n -> !expected.contains(n)).toList();
      throw new EmbeddingFormatException(
          "the SDXL embedding holds "
              + names(others)
              + " besides clip_l and clip_g; an embedding file holds only its rows");
    }
  }

  /**
   * A zip of the diffusers pair of an SDXL embedding: {@code learned_embeds.*} for text_encoder and
   * {@code learned_embeds_2.*} for text_encoder_2 (safetensors, or the {@code .bin} torch.save
   * writes), anywhere in the archive, beside at most a README; each holds one encoder's rows.
   */
  private static EmbeddingFile readDiffusersPair(Map<String, byte[]> entries) {
    Map<String, byte[]> pair = new LinkedHashMap<>();
    Map<String, String> pairNames = new LinkedHashMap<>();
    List<String> unexpected = new ArrayList<>();
    for (var entry : entries.entrySet()) {
      String path = entry.getKey();
      String base = path.substring(path.lastIndexOf('/') + 1);
      String stem = stem(base);
      if (path.endsWith("/") || base.isEmpty() || base.equalsIgnoreCase(PAIR_README)) {
        continue;
      }
      String encoder =
          switch (stem == null ? "" : stem) {
            case "learned_embeds" -> TEXT_ENCODER;
            case "learned_embeds_2" -> TEXT_ENCODER_2;
            default -> null;
          };
      if (encoder == null) {
        unexpected.add(path);
      } else if (pair.put(encoder, entry.getValue()) != null) {
        throw new EmbeddingFormatException("the archive holds more than one " + stem + " file");
      } else {
        pairNames.put(encoder, base);
      }
    }
    if (!unexpected.isEmpty() || pair.size() != 2) {
      throw new EmbeddingFormatException(
          "not an embedding file: a zip archive that is neither a torch.save archive (no data.pkl)"
              + " nor the diffusers pair of an SDXL embedding (learned_embeds.safetensors and"
              + " learned_embeds_2.safetensors)"
              + (unexpected.isEmpty() ? "" : "; it holds " + names(unexpected)));
    }
    return pair(
        single(pair.get(TEXT_ENCODER), pairNames.get(TEXT_ENCODER)),
        single(pair.get(TEXT_ENCODER_2), pairNames.get(TEXT_ENCODER_2)));
  }

  /**
   * Reads the diffusers pair of an SDXL embedding given as two files: {@code textEncoder} (the
   * authors' {@code learned_embeds.safetensors}) and {@code textEncoder2} ({@code
   * learned_embeds_2.safetensors}), each a single-encoder embedding file in any format {@link
   * #read} accepts. The token and metadata are the first file's.
   */
  public static EmbeddingFile readPair(
      byte[] textEncoder, String filename, byte[] textEncoder2, String filename2) {
    return pair(
        readSingle(textEncoder, filename, "the first file"),
        readSingle(textEncoder2, filename2, "the second file"));
  }

  private static EmbeddingFile readSingle(byte[] bytes, String filename, String which) {
    EmbeddingFile file;
    try {
      file = read(bytes, filename);
    } catch (EmbeddingFormatException e) {
      throw new EmbeddingFormatException(which + ": " + e.getMessage(), e);
    }
    if (file.isXL()) {
      throw new EmbeddingFormatException(
          which + " already holds both text encoders (clip_l and clip_g); send it alone");
    }
    return file;
  }

  private static EmbeddingFile single(byte[] bytes, String name) {
    if (bytes.length == 0) {
      throw new EmbeddingFormatException(name + " is empty");
    }
    EmbeddingFile file;
    try {
      if (SafetensorsBytes.looksLikeSafetensors(bytes)) {
        file = readSafetensors(bytes, name);
      } else if (ZipEntries.looksLikeZip(bytes)) {
        Map<String, byte[]> entries = ZipEntries.read(bytes, MAX_FILE_BYTES);
        if (entries.keySet().stream().noneMatch(n -> n.endsWith("data.pkl"))) {
          throw new EmbeddingFormatException("an archive inside the archive");
        }
        file = readTorchArchive(entries, name);
      } else {
        throw new EmbeddingFormatException("not safetensors or a torch.save archive");
      }
    } catch (EmbeddingFormatException e) {
      throw new EmbeddingFormatException(name + ": " + e.getMessage(), e);
    }
    if (file.isXL()) {
      throw new EmbeddingFormatException(
          name + " holds both clip_l and clip_g; expected one encoder");
    }
    return file;
  }

  private static EmbeddingFile pair(EmbeddingFile textEncoder, EmbeddingFile textEncoder2) {
    if (textEncoder.vectors() != textEncoder2.vectors()) {
      throw new EmbeddingFormatException(
          "the text_encoder file has "
              + textEncoder.vectors()
              + " vectors but the text_encoder_2 file has "
              + textEncoder2.vectors()
              + "; an SDXL embedding has one row per token position in each text encoder");
    }
    return EmbeddingFile.xl(
        textEncoder.token(), textEncoder.rows(), textEncoder2.rows(), textEncoder.metadata());
  }
}
