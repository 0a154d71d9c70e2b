package dev.dti.embedding.file;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes by hand, one method per opcode, for test fixtures; the names are those of
 * CPython's Lib/pickle.py. Also packs entries into a zip the way torch.save lays out its archive.
 */
final class PickleBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  PickleBytes op(int opcode) {
    out.write(opcode);
    return this;
  }

  PickleBytes raw(byte... bytes) {
    out.writeBytes(bytes);
    return this;
  }

  PickleBytes proto(int protocol) {
    return op(0x80).op(protocol);
  }

  PickleBytes emptyDict() {
    return op('}');
  }

  PickleBytes emptyList() {
    return op(']');
  }

  PickleBytes appends() {
    return op('e');
  }

  PickleBytes emptyTuple() {
    return op(')');
  }

  PickleBytes mark() {
    return op('(');
  }

  /** BINPUT: memoize the top of the stack under {@code index}. */
  PickleBytes put(int index) {
    return op('q').op(index);
  }

  /** BINGET: push memo entry {@code index}. */
  PickleBytes get(int index) {
    return op('h').op(index);
  }

  /** BINUNICODE: 4-byte little-endian length, UTF-8 (protocol 2 has no SHORT_BINUNICODE). */
  PickleBytes unicode(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    op('X');
    out.writeBytes(le32(utf8.length));
    out.writeBytes(utf8);
    return this;
  }

  /** SHORT_BINUNICODE (protocol 4): 1-byte length. */
  PickleBytes shortUnicode(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    op(0x8c).op(utf8.length);
    out.writeBytes(utf8);
    return this;
  }

  /** The smallest of BININT1, BININT2 and BININT, as the pickler chooses. */
  PickleBytes integer(int value) {
    if (value >= 0 && value <= 0xFF) {
      return op('K').op(value);
    }
    if (value >= 0 && value <= 0xFFFF) {
      return op('M').op(value & 0xFF).op(value >>> 8);
    }
    op('J');
    out.writeBytes(le32(value));
    return this;
  }

  /** GLOBAL: "module\nname\n" (protocols 0 to 3). */
  PickleBytes global(String module, String name) {
    op('c');
    out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    return this;
  }

  PickleBytes tuple() {
    return op('t');
  }

  PickleBytes tuple1() {
    return op(0x85);
  }

  PickleBytes tuple2() {
    return op(0x86);
  }

  PickleBytes tuple3() {
    return op(0x87);
  }

  PickleBytes binpersid() {
    return op('Q');
  }

  PickleBytes reduce() {
    return op('R');
  }

  PickleBytes build() {
    return op('b');
  }

  PickleBytes setitem() {
    return op('s');
  }

  PickleBytes setitems() {
    return op('u');
  }

  PickleBytes newTrue() {
    return op(0x88);
  }

  PickleBytes newFalse() {
    return op(0x89);
  }

  PickleBytes none() {
    return op('N');
  }

  PickleBytes stop() {
    return op('.');
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /**
   * What {@code torch.save} (protocol 2) emits for one tensor, memo indices from {@code memo}:
   *
   * <pre>
   * GLOBAL torch._utils _rebuild_tensor_v2          the reduce function
   * MARK                                            its argument tuple:
   *   MARK 'storage' GLOBAL torch FloatStorage       persistent id ('storage', FloatStorage,
   *        key 'cpu' numel TUPLE BINPERSID             key, location, numel) → data/key
   *   offset  (n, d) TUPLE2  (d, 1) TUPLE2           storage_offset, size, stride
   *   NEWFALSE                                       requires_grad
   *   GLOBAL collections OrderedDict () REDUCE       backward_hooks: OrderedDict()
   * TUPLE REDUCE
   * </pre>
   *
   * Every string, GLOBAL and tuple is memoized with BINPUT, as the pickler does. Returns the next
   * free memo index.
   */
  int tensor(int memo, String key, int numel, int offset, int[] size, int[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").put(memo++);
    mark();
    mark().unicode("storage").put(memo++);
    global("torch", "FloatStorage").put(memo++);
    unicode(key).put(memo++);
    unicode("cpu").put(memo++);
    integer(numel).tuple().put(memo++).binpersid();
    integer(offset);
    for (int s : size) {
      integer(s);
    }
    sizeTuple(size.length).put(memo++);
    for (int s : stride) {
      integer(s);
    }
    sizeTuple(stride.length).put(memo++);
    newFalse();
    global("collections", "OrderedDict").put(memo++).emptyTuple().reduce().put(memo++);
    tuple().put(memo++).reduce().put(memo++);
    return memo;
  }

  private PickleBytes sizeTuple(int rank) {
    return switch (rank) {
      case 0 -> emptyTuple();
      case 1 -> tuple1();
      case 2 -> tuple2();
      case 3 -> tuple3();
      default -> throw new IllegalArgumentException("rank " + rank);
    };
  }

  static byte[] le32(int value) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array();
  }

  static byte[] floats(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    return buf.array();
  }

  /**
   * A zip as torch.save writes it: every entry stored (not compressed) under one top-level folder
   * ("archive/" for buffers, the file's stem for named files): data.pkl, byteorder,
   * data/&lt;key&gt; for each storage, version. Pairs of name and content.
   */
  static byte[] zip(boolean deflate, Object... namesAndContents) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] content =
            namesAndContents[i + 1] instanceof String s
                ? s.getBytes(StandardCharsets.UTF_8)
                : (byte[]) namesAndContents[i + 1];
        ZipEntry entry = new ZipEntry((String) namesAndContents[i]);
        if (!deflate) {
          CRC32 crc = new CRC32();
          crc.update(content);
          entry.setMethod(ZipEntry.STORED);
          entry.setSize(content.length);
          entry.setCompressedSize(content.length);
          entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
