package dev.dti.embedding.file;

import dev.dti.diffusion.io.SafetensorsBytes;
import dev.dti.diffusion.io.SafetensorsWriter;
import dev.dti.embedding.file.RestrictedUnpickler.Tensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /** Metadata key holding the token in the files this service writes as {@code emb_params}. */
  public static final String TOKEN_METADATA = "dti.token";

  private EmbeddingFiles() {}

  /**
   * The file for {@code format}: float32 rows [n, d], metadata {@code format=pt} plus the
   * embedding's own metadata; for {@code emb_params} files also {@code name} (the name A1111 and
   * kohya derive from the suggested filename) and {@code dti.token}.
   */
  public static byte[] write(EmbeddingFormat format, EmbeddingFile file) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    String tensorName;
    if (format == EmbeddingFormat.DIFFUSERS) {
      if (file.token().equals("__metadata__")) {
        throw new EmbeddingFormatException("__metadata__ cannot be a token in safetensors");
      }
      tensorName = file.token();
    } else {
      tensorName = EMB_PARAMS;
      metadata.put("name", EmbeddingFormat.filenameStem(file.token()));
      metadata.put(TOKEN_METADATA, file.token());
    }
    file.metadata().forEach(metadata::putIfAbsent);
    var tensor =
        new SafetensorsWriter.Float32(
            new long[] {file.vectors(), file.dimension()}, file.flatRows());
    return SafetensorsWriter.float32ToBytes(Map.of(tensorName, tensor), metadata);
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
    if (file.names().contains("clip_l") || file.names().contains("clip_g")) {
      throw sdxl();
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
      throw new EmbeddingFormatException(
          "not an embedding file: a zip archive without the data.pkl of torch.save");
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
    if (dict.containsKey("clip_l") || dict.containsKey("clip_g")) {
      throw sdxl();
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

  private static EmbeddingFormatException sdxl() {
    return new EmbeddingFormatException(
        "SDXL embeddings are not supported yet (the file has clip_l/clip_g tensors)");
  }
}
