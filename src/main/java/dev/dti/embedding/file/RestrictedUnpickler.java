package dev.dti.embedding.file;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the pickle of a PyTorch zip archive ({@code data.pkl}) without executing anything.
 *
 * <p>A pickle is a program for a small stack machine; Python's unpickler runs it and imports and
 * calls whatever {@code GLOBAL}/{@code REDUCE} name, which is how a {@code .pt} file can run {@code
 * os.system}. This machine knows only the opcodes {@code torch.save} emits for plain containers of
 * tensors (protocol 2, and the protocol 4/5 forms of the same), and only a short list of global
 * names, each of which it interprets itself: {@code collections.OrderedDict} becomes a map, {@code
 * torch._utils._rebuild_tensor_v2} and {@code _rebuild_parameter} become a {@link Tensor} gathered
 * from the storage bytes, and {@code torch.FloatStorage}/{@code HalfStorage}/{@code
 * BFloat16Storage}/{@code DoubleStorage} name the element type of a storage. Any other global, any
 * other opcode, and any object-building step it cannot interpret are refused before they would take
 * effect.
 *
 * <p>Python values map to: {@code None} → null, bool → Boolean, int → Long, float → Double, str →
 * String, dict → {@link LinkedHashMap} (keys must be str, int, float, bool or None), list → {@link
 * ArrayList}, tuple → {@link Tuple}.
 */
final class RestrictedUnpickler {

  /** A Python tuple. */
  record Tuple(List<Object> items) {
    Tuple {
      items = Collections.unmodifiableList(new ArrayList<>(items));
    }
  }

  /** A global name from the allow-list; never resolved to anything but this description. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /** A tensor rebuilt from its storage: row-major values and shape. */
  record Tensor(long[] shape, float[] values) {}

  private record StorageType(String name, int elementSize) {}

  private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
  private static final Global REBUILD_TENSOR = new Global("torch._utils", "_rebuild_tensor_v2");
  private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
  private static final Global REBUILD_PARAMETER_WITH_STATE =
      new Global("torch._utils", "_rebuild_parameter_with_state");
  private static final Map<Global, StorageType> STORAGE_TYPES =
      Map.of(
          new Global("torch", "FloatStorage"), new StorageType("float32", 4),
          new Global("torch", "DoubleStorage"), new StorageType("float64", 8),
          new Global("torch", "HalfStorage"), new StorageType("float16", 2),
          new Global("torch", "BFloat16Storage"), new StorageType("bfloat16", 2));
  private static final Set<Global> CALLABLES =
      Set.of(ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE);

  /** The largest tensor this reader builds: an embedding of 75 vectors of 4096. */
  static final long MAX_TENSOR_VALUES =
      (long) EmbeddingFile.MAX_VECTORS * EmbeddingFile.MAX_DIMENSION;

  /**
   * The pickle of an embedding file is about a kilobyte; the cap keeps the number of objects a
   * hostile pickle can create (one per opcode at most) small.
   */
  static final int MAX_PICKLE_BYTES = 64 * 1024;

  /**
   * All tensors of one pickle together: a few embeddings' worth, so repeats cannot exhaust memory.
   */
  static final long MAX_TOTAL_TENSOR_VALUES = 4 * MAX_TENSOR_VALUES;

  private static final int MAX_GLOBAL_LINE = 256;

  private final byte[] code;
  private final Function<String, byte[]> storages;
  private final ByteOrder storageOrder;
  private final Map<String, float[]> loadedStorages = new HashMap<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private final ArrayList<Object> stack = new ArrayList<>();
  private final ArrayList<Integer> marks = new ArrayList<>();
  private int pc;
  private long builtValues;

  private RestrictedUnpickler(
      byte[] code, Function<String, byte[]> storages, ByteOrder storageOrder) {
    this.code = code;
    this.storages = storages;
    this.storageOrder = storageOrder;
  }

  /**
   * Runs the pickle in {@code code} and returns the value it leaves; the bytes of the storage with
   * key k (archive entry {@code data/k}) come from {@code storages.apply(k)}, null when absent, and
   * are decoded in {@code storageOrder}.
   */
  static Object load(byte[] code, Function<String, byte[]> storages, ByteOrder storageOrder) {
    if (code.length > MAX_PICKLE_BYTES) {
      throw refused(
          "the pickle has "
              + code.length
              + " bytes; an embedding file's is a few kilobytes (at most "
              + MAX_PICKLE_BYTES
              + ")");
    }
    return new RestrictedUnpickler(code, storages, storageOrder).run();
  }

  private Object run() {
    while (true) {
      if (pc >= code.length) {
        throw refused("the pickle ends before its STOP opcode (truncated file?)");
      }
      int at = pc;
      int op = code[pc++] & 0xFF;
      switch (op) {
        case 0x80 -> { // PROTO
          int protocol = u8();
          if (protocol > 5) {
            throw refused("unknown pickle protocol " + protocol);
          }
        }
        case 0x95 -> bytes(8); // FRAME: a length hint only
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw refused("the pickle stops with " + stack.size() + " values on its stack");
          }
          return stack.get(0);
        }
        case '(' -> marks.add(stack.size()); // MARK
        case '0' -> pop(); // POP
        case '1' -> popMark(); // POP_MARK
        case '2' -> push(peek()); // DUP
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
        case 'N' -> push(null); // NONE
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) le(2)); // BININT2
        case 'J' -> push((long) (int) le(4)); // BININT
        case 0x8a -> push(long1(u8())); // LONG1
        case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
        case 'X' -> push(text(le(4))); // BINUNICODE
        case 0x8c -> push(text(u8())); // SHORT_BINUNICODE
        case 0x8d -> push(text(le(8))); // BINUNICODE8
        case 'q' -> memo.put((long) u8(), peek()); // BINPUT
        case 'r' -> memo.put(le(4), peek()); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
        case 'h' -> push(memoGet(u8())); // BINGET
        case 'j' -> push(memoGet(le(4))); // LONG_BINGET
        case 't' -> push(new Tuple(popMark())); // TUPLE
        case 0x85 -> push(new Tuple(popLast(1))); // TUPLE1
        case 0x86 -> push(new Tuple(popLast(2))); // TUPLE2
        case 0x87 -> push(new Tuple(popLast(3))); // TUPLE3
        case 'a' -> { // APPEND
          Object value = pop();
          list(peek()).add(value);
        }
        case 'e' -> { // APPENDS
          List<Object> values = popMark();
          list(peek()).addAll(values);
        }
        case 's' -> { // SETITEM
          Object value = pop();
          Object key = pop();
          put(peek(), key, value);
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          if (items.size() % 2 != 0) {
            throw refused("SETITEMS with an odd number of values");
          }
          Object dict = peek();
          for (int i = 0; i < items.size(); i += 2) {
            put(dict, items.get(i), items.get(i + 1));
          }
        }
        case 'c' -> push(global(line(), line())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw refused("STACK_GLOBAL without a module and a name");
          }
          push(global(m, n));
        }
        case 'Q' -> push(persistent(pop())); // BINPERSID
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(reduce(callable, args));
        }
        case 'b' -> build(pop(), peek()); // BUILD
        case 'i', 'o', 0x81, 0x92, 0x82, 0x83, 0x84 ->
            throw refused(
                "the pickle uses opcode "
                    + describe(op)
                    + " at byte "
                    + at
                    + ", which would require executing code; refused");
        default ->
            throw refused(
                "the pickle uses opcode "
                    + describe(op)
                    + " at byte "
                    + at
                    + ", which PyTorch embedding files do not use; refused");
      }
    }
  }

  private Object global(String module, String name) {
    Global global = new Global(module, name);
    if (!CALLABLES.contains(global) && !STORAGE_TYPES.containsKey(global)) {
      throw refused(
          "the pickle refers to "
              + printable(global.qualified())
              + "; loading it would require executing code; refused");
    }
    return global;
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Global global) || !CALLABLES.contains(global)) {
      throw refused(
          "the pickle calls "
              + (callable instanceof Global g ? g.qualified() : "a value that is not a function")
              + ", which would require executing code; refused");
    }
    if (!(args instanceof Tuple(List<Object> a))) {
      throw refused("the arguments of " + global.qualified() + " are not a tuple");
    }
    if (global.equals(ORDERED_DICT)) {
      if (!a.isEmpty()) {
        throw refused("collections.OrderedDict is built with arguments; only () is supported");
      }
      return new LinkedHashMap<>();
    }
    if (global.equals(REBUILD_TENSOR)) {
      if (a.size() < 6 || a.size() > 7) {
        throw refused("_rebuild_tensor_v2 takes 6 or 7 arguments, got " + a.size());
      }
      requireNoHooks(a.get(5));
      Tensor tensor = tensor(a.get(0), a.get(1), a.get(2), a.get(3));
      builtValues += tensor.values().length;
      if (builtValues > MAX_TOTAL_TENSOR_VALUES) {
        throw refused("the pickle builds more tensor data than an embedding file holds");
      }
      return tensor;
    }
    // _rebuild_parameter(data, requires_grad, backward_hooks[, state]): the data is the tensor.
    int expected = global.equals(REBUILD_PARAMETER) ? 3 : 4;
    if (a.size() != expected || !(a.get(0) instanceof Tensor data)) {
      throw refused(global.qualified() + " takes a tensor and " + (expected - 1) + " more values");
    }
    requireNoHooks(a.get(2));
    if (expected == 4 && !isEmptyState(a.get(3))) {
      throw refused("a parameter with extra Python state is not supported");
    }
    return data;
  }

  private static void requireNoHooks(Object hooks) {
    if (!(hooks instanceof Map<?, ?> map) || !map.isEmpty()) {
      throw refused("a tensor with backward hooks is not supported");
    }
  }

  private void build(Object state, Object target) {
    if (!isEmptyState(state)) {
      throw refused(
          "the pickle sets the state of an object (BUILD), which would require executing code;"
              + " refused");
    }
    if (target == null) {
      throw refused("BUILD on None");
    }
  }

  private static boolean isEmptyState(Object state) {
    return state == null
        || (state instanceof Map<?, ?> map && map.isEmpty())
        || (state instanceof Tuple(List<Object> items)
            && items.stream().allMatch(RestrictedUnpickler::isEmptyState));
  }

  /** ('storage', storage type, key, location, numel): the bytes of archive entry data/key. */
  private Object persistent(Object pid) {
    if (!(pid instanceof Tuple(List<Object> t))
        || t.size() != 5
        || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof Global type)
        || !(t.get(2) instanceof String key)
        || !(t.get(3) instanceof String)
        || !(t.get(4) instanceof Long numel)) {
      throw refused("a persistent id that is not a PyTorch storage reference");
    }
    StorageType storageType = STORAGE_TYPES.get(type);
    if (storageType == null) {
      throw refused("storage type " + type.qualified() + " is not a floating-point storage");
    }
    if (numel < 0 || numel > MAX_TENSOR_VALUES * 16) {
      throw refused("storage " + printable(key) + " is too large for an embedding");
    }
    float[] values = loadedStorages.get(key);
    if (values == null) {
      byte[] raw = storages.apply(key);
      if (raw == null) {
        throw refused("storage " + printable(key) + " is missing from the archive");
      }
      long needed = numel * storageType.elementSize();
      if (raw.length < needed) {
        throw refused(
            "storage " + printable(key) + " holds " + raw.length + " bytes, needs " + needed);
      }
      values = decode(raw, (int) (long) numel, storageType);
      loadedStorages.put(key, values);
    }
    return new StorageRef(values);
  }

  /** The decoded values of one storage. */
  private record StorageRef(float[] values) {}

  private float[] decode(byte[] raw, int numel, StorageType type) {
    ByteBuffer buf = ByteBuffer.wrap(raw).order(storageOrder);
    float[] out = new float[numel];
    for (int i = 0; i < numel; i++) {
      out[i] =
          switch (type.name()) {
            case "float32" -> buf.getFloat(4 * i);
            case "float64" -> (float) buf.getDouble(8 * i);
            case "float16" -> Float.float16ToFloat(buf.getShort(2 * i));
            default -> Float.intBitsToFloat((buf.getShort(2 * i) & 0xFFFF) << 16);
          };
    }
    return out;
  }

  /** Gathers size/stride/offset from the storage into a dense row-major array. */
  private static Tensor tensor(Object storage, Object offset, Object size, Object stride) {
    if (!(storage instanceof StorageRef(float[] values))
        || !(offset instanceof Long storageOffset)
        || !(size instanceof Tuple(List<Object> sizes))
        || !(stride instanceof Tuple(List<Object> strides))
        || sizes.size() != strides.size()) {
      throw refused("_rebuild_tensor_v2 arguments are not (storage, offset, size, stride, ...)");
    }
    int rank = sizes.size();
    long[] shape = new long[rank];
    long[] steps = new long[rank];
    long numel = 1;
    long last = storageOffset;
    for (int i = 0; i < rank; i++) {
      if (!(sizes.get(i) instanceof Long s)
          || !(strides.get(i) instanceof Long st)
          || s < 0
          || st < 0) {
        throw refused("a tensor has an invalid size or stride");
      }
      shape[i] = s;
      steps[i] = st;
      numel = s > MAX_TENSOR_VALUES ? Long.MAX_VALUE : numel * s;
      if (numel > MAX_TENSOR_VALUES) {
        throw refused("a tensor has more than " + MAX_TENSOR_VALUES + " values");
      }
      if (s > 0) {
        last += (s - 1) * st;
      }
    }
    if (storageOffset < 0 || (numel > 0 && last >= values.length)) {
      throw refused("a tensor reaches outside its storage");
    }
    float[] out = new float[(int) numel];
    long[] index = new long[rank];
    for (int n = 0; n < numel; n++) {
      long position = storageOffset;
      for (int i = 0; i < rank; i++) {
        position += index[i] * steps[i];
      }
      out[n] = values[(int) position];
      for (int i = rank - 1; i >= 0; i--) {
        if (++index[i] < shape[i]) {
          break;
        }
        index[i] = 0;
      }
    }
    return new Tensor(shape, out);
  }

  private static void put(Object dict, Object key, Object value) {
    if (!(dict instanceof LinkedHashMap<?, ?>)) {
      throw refused("SETITEM on a value that is not a dict, which would require executing code");
    }
    if (key != null
        && !(key instanceof String)
        && !(key instanceof Long)
        && !(key instanceof Double)
        && !(key instanceof Boolean)) {
      throw refused("a dict key that is not text or a number");
    }
    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) dict;
    map.put(key, value);
  }

  private static List<Object> list(Object value) {
    if (!(value instanceof ArrayList<?>)) {
      throw refused("APPEND on a value that is not a list, which would require executing code");
    }
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) value;
    return list;
  }

  private void push(Object value) {
    stack.add(value);
  }

  private Object pop() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw refused("the pickle pops from an empty stack");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw refused("the pickle reads from an empty stack");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popLast(int count) {
    List<Object> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(0, pop());
    }
    return items;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw refused("the pickle closes a MARK it never opened");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> tail = stack.subList(mark, stack.size());
    List<Object> items = new ArrayList<>(tail);
    tail.clear();
    return items;
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw refused("the pickle reads memo entry " + index + ", which was never stored");
    }
    return memo.get(index);
  }

  private int u8() {
    return bytes(1)[0] & 0xFF;
  }

  /** An unsigned little-endian integer of 1 to 8 bytes. */
  private long le(int count) {
    byte[] b = bytes(count);
    long value = 0;
    for (int i = count - 1; i >= 0; i--) {
      value = (value << 8) | (b[i] & 0xFF);
    }
    return value;
  }

  private long long1(int count) {
    if (count > 8) {
      throw refused("an integer of " + count + " bytes; embedding files use at most 8");
    }
    if (count == 0) {
      return 0;
    }
    byte[] b = bytes(count);
    long value = b[count - 1]; // sign-extended top byte
    for (int i = count - 2; i >= 0; i--) {
      value = (value << 8) | (b[i] & 0xFF);
    }
    return value;
  }

  private String text(long length) {
    if (length < 0 || length > code.length - pc) {
      throw refused("a string runs past the end of the pickle (truncated file?)");
    }
    return new String(bytes((int) length), StandardCharsets.UTF_8);
  }

  private String line() {
    int start = pc;
    while (pc < code.length && code[pc] != '\n') {
      if (pc - start > MAX_GLOBAL_LINE) {
        throw refused("a GLOBAL name longer than " + MAX_GLOBAL_LINE + " bytes");
      }
      pc++;
    }
    if (pc >= code.length) {
      throw refused("a GLOBAL name runs past the end of the pickle (truncated file?)");
    }
    String value = new String(code, start, pc - start, StandardCharsets.UTF_8);
    pc++;
    return value;
  }

  private byte[] bytes(int count) {
    if (count > code.length - pc) {
      throw refused("the pickle ends in the middle of an opcode (truncated file?)");
    }
    byte[] out = new byte[count];
    System.arraycopy(code, pc, out, 0, count);
    pc += count;
    return out;
  }

  private static String describe(int op) {
    String printable = op >= 0x20 && op < 0x7f ? " '" + (char) op + "'" : "";
    return String.format("0x%02x%s", op, printable);
  }

  /** A name from the file, shortened and stripped of control characters for messages. */
  static String printable(String text) {
    String clean =
        text.codePoints()
            .map(c -> Character.isISOControl(c) ? '?' : c)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }

  private static EmbeddingFormatException refused(String message) {
    return new EmbeddingFormatException(message);
  }
}
