package dev.dti.diffusion.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A safetensors file read tensor by tensor.
 *
 * <p>Only the JSON header is parsed up front; each tensor is mapped from disk when asked for and
 * copied once into native memory as float32 (F16 and BF16 are widened), so loading a multi-GB UNet
 * never holds more than one tensor in Java memory. DJL's own decoder ({@code NDList.decode}) reads
 * the whole data section into one {@code byte[]}, so it cannot read files of 2 GiB or more and
 * peaks at several times the file's size (a 384 MB file took 2.4 GB); this class exists to avoid
 * that.
 */
public final class SafetensorsFile implements AutoCloseable {

  /** One header entry: dtype as in the file, shape, and absolute byte range in the file. */
  public record TensorInfo(String name, String dtype, Shape shape, long begin, long end) {
    long byteLength() {
      return end - begin;
    }
  }

  private static final ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

  private final Path path;
  private final FileChannel channel;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      FileChannel channel,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  public static SafetensorsFile open(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.flip().getLong();
      if (headerLength <= 0 || headerLength > 100_000_000 || headerLength + 8 > channel.size()) {
        throw new IOException(
            path + " is not a safetensors file (header length " + headerLength + ")");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8);
      JsonNode root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
      long dataStart = 8 + headerLength;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        if (entry.getKey().equals("__metadata__")) {
          entry
              .getValue()
              .properties()
              .forEach(m -> metadata.put(m.getKey(), m.getValue().asString()));
          continue;
        }
        JsonNode node = entry.getValue();
        long[] dims = new long[node.get("shape").size()];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = node.get("shape").get(i).asLong();
        }
        long begin = dataStart + node.get("data_offsets").get(0).asLong();
        long end = dataStart + node.get("data_offsets").get(1).asLong();
        if (end > channel.size() || begin > end) {
          throw new IOException(path + ": tensor " + entry.getKey() + " lies outside the file");
        }
        tensors.put(
            entry.getKey(),
            new TensorInfo(
                entry.getKey(), node.get("dtype").asString(), new Shape(dims), begin, end));
      }
      return new SafetensorsFile(
          path,
          channel,
          Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(metadata));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  public Set<String> names() {
    return tensors.keySet();
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new IllegalArgumentException(path + " has no tensor named '" + name + "'");
    }
    return info;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  /**
   * Reads a tensor into {@code manager}: floating types become float32, integer types int64 (I32
   * and I64) so indices work directly; the result owns its native memory.
   */
  public NDArray load(NDManager manager, String name) throws IOException {
    TensorInfo info = info(name);
    ByteBuffer bytes =
        ByteBuffer.allocateDirect((int) info.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, bytes, info.begin());
    bytes.flip();
    return switch (info.dtype()) {
      case "F32" -> copy(manager, bytes, info.shape(), DataType.FLOAT32);
      case "F64" ->
          copy(manager, bytes, info.shape(), DataType.FLOAT64).toType(DataType.FLOAT32, false);
      case "F16" -> widen(copy(manager, bytes, info.shape(), DataType.FLOAT16));
      case "BF16" -> manager.create(bfloat16ToFloat(bytes), info.shape());
      case "I64" -> copy(manager, bytes, info.shape(), DataType.INT64);
      case "I32" -> widenInt(copy(manager, bytes, info.shape(), DataType.INT32));
      default ->
          throw new IOException(
              path + ": tensor " + name + " has unsupported dtype " + info.dtype());
    };
  }

  private static NDArray copy(NDManager manager, ByteBuffer bytes, Shape shape, DataType type) {
    // create() may alias the direct buffer; duplicate() gives the array memory of its own.
    try (NDArray view = manager.create(bytes, shape, type)) {
      return view.duplicate();
    }
  }

  private static NDArray widen(NDArray half) {
    NDArray full = half.toType(DataType.FLOAT32, false);
    half.close();
    return full;
  }

  private static NDArray widenInt(NDArray ints) {
    NDArray longs = ints.toType(DataType.INT64, false);
    ints.close();
    return longs;
  }

  /** bfloat16 is the top half of a float32; PyTorch-on-DJL aborts the JVM on BF16 arrays. */
  private static float[] bfloat16ToFloat(ByteBuffer bytes) {
    float[] out = new float[bytes.remaining() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.intBitsToFloat((bytes.getShort() & 0xFFFF) << 16);
    }
    return out;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long pos = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos);
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
      pos += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
