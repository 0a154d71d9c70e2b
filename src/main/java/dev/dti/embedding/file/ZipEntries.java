package dev.dti.embedding.file;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a small zip archive held in memory, found through the central directory (which
 * PyTorch's writer always completes; its local headers may defer sizes to data descriptors, which
 * {@link java.util.zip.ZipInputStream} cannot read for stored entries). Stored and deflated entries
 * are supported, zip64 sizes and offsets are followed, CRCs are checked, and the total unpacked
 * size is bounded so a small upload cannot unpack into a large one.
 */
final class ZipEntries {

  static final int LOCAL_HEADER = 0x04034b50;
  private static final int CENTRAL_HEADER = 0x02014b50;
  private static final int END_OF_DIRECTORY = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_END_OF_DIRECTORY = 0x06064b50;
  private static final int MAX_ENTRIES = 256;

  private ZipEntries() {}

  static boolean looksLikeZip(byte[] bytes) {
    return bytes.length >= 4
        && ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LOCAL_HEADER;
  }

  /** Every entry by name, in directory order; a damaged or oversized archive is refused. */
  static Map<String, byte[]> read(byte[] zip, long maxTotalBytes) {
    ByteBuffer buf = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int end = findEndOfDirectory(buf);
    long entries = u16(buf, end + 10);
    long directorySize = u32(buf, end + 12);
    long directoryOffset = u32(buf, end + 16);
    if (entries == 0xFFFF || directorySize == 0xFFFFFFFFL || directoryOffset == 0xFFFFFFFFL) {
      int locator = end - 20;
      if (locator < 0 || buf.getInt(locator) != ZIP64_LOCATOR) {
        throw damaged("zip64 end of directory is missing");
      }
      int end64 = index(buf, buf.getLong(locator + 8), 56);
      if (buf.getInt(end64) != ZIP64_END_OF_DIRECTORY) {
        throw damaged("zip64 end of directory is missing");
      }
      entries = buf.getLong(end64 + 32);
      directorySize = buf.getLong(end64 + 40);
      directoryOffset = buf.getLong(end64 + 48);
    }
    if (entries < 0 || entries > MAX_ENTRIES) {
      throw new EmbeddingFormatException(
          "the archive has " + entries + " entries; an embedding file has a handful");
    }
    int position = index(buf, directoryOffset, directorySize);
    Map<String, byte[]> out = new LinkedHashMap<>();
    long total = 0;
    for (long i = 0; i < entries; i++) {
      index(buf, position, 46);
      if (buf.getInt(position) != CENTRAL_HEADER) {
        throw damaged("central directory entry " + i + " is damaged");
      }
      int flags = u16(buf, position + 8);
      int method = u16(buf, position + 10);
      long crc = u32(buf, position + 16);
      long compressed = u32(buf, position + 20);
      long size = u32(buf, position + 24);
      int nameLength = u16(buf, position + 28);
      int extraLength = u16(buf, position + 30);
      int commentLength = u16(buf, position + 32);
      long localOffset = u32(buf, position + 42);
      index(buf, position + 46, nameLength + extraLength + commentLength);
      String name = new String(zip, position + 46, nameLength, StandardCharsets.UTF_8);
      int extra = position + 46 + nameLength;
      long[] wide =
          zip64(
              buf,
              extra,
              extraLength,
              size == 0xFFFFFFFFL,
              compressed == 0xFFFFFFFFL,
              localOffset == 0xFFFFFFFFL);
      size = wide[0] >= 0 ? wide[0] : size;
      compressed = wide[1] >= 0 ? wide[1] : compressed;
      localOffset = wide[2] >= 0 ? wide[2] : localOffset;
      position = extra + extraLength + commentLength;

      if ((flags & 1) != 0) {
        throw new EmbeddingFormatException("the archive entry " + name + " is encrypted");
      }
      total += size;
      if (size < 0 || total > maxTotalBytes) {
        throw new EmbeddingFormatException(
            "the archive unpacks to more than " + maxTotalBytes / (1024 * 1024) + " MB");
      }
      if (out.containsKey(name)) {
        throw damaged("the entry " + name + " appears twice");
      }
      int local = index(buf, localOffset, 30);
      if (buf.getInt(local) != LOCAL_HEADER) {
        throw damaged("the local header of " + name + " is missing");
      }
      int dataStart = local + 30 + u16(buf, local + 26) + u16(buf, local + 28);
      index(buf, dataStart, compressed);
      byte[] data = unpack(zip, dataStart, (int) compressed, (int) size, method, name);
      CRC32 check = new CRC32();
      check.update(data);
      if (check.getValue() != crc) {
        throw damaged("the entry " + name + " fails its CRC check");
      }
      out.put(name, data);
    }
    return out;
  }

  private static byte[] unpack(
      byte[] zip, int start, int compressed, int size, int method, String name) {
    if (method == 0) {
      if (compressed != size) {
        throw damaged("the stored entry " + name + " has inconsistent sizes");
      }
      byte[] data = new byte[size];
      System.arraycopy(zip, start, data, 0, size);
      return data;
    }
    if (method != 8) {
      throw new EmbeddingFormatException(
          "the archive entry " + name + " uses compression method " + method);
    }
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(zip, start, compressed);
      byte[] data = new byte[size];
      int filled = 0;
      while (filled < size) {
        int n = inflater.inflate(data, filled, size - filled);
        if (n == 0
            && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        filled += n;
      }
      if (filled != size) {
        throw damaged("the entry " + name + " is truncated");
      }
      return data;
    } catch (DataFormatException e) {
      throw damaged("the entry " + name + " is not valid deflate data");
    } finally {
      inflater.end();
    }
  }

  /** Sizes and offset from a zip64 extra field, -1 where absent; order as in the zip spec. */
  private static long[] zip64(
      ByteBuffer buf, int start, int length, boolean size, boolean compressed, boolean offset) {
    long[] out = {-1, -1, -1};
    if (!size && !compressed && !offset) {
      return out;
    }
    int p = start;
    while (p + 4 <= start + length) {
      int id = u16(buf, p);
      int len = u16(buf, p + 2);
      if (id == 0x0001) {
        int q = p + 4;
        int limit = q + len;
        if (size && q + 8 <= limit) {
          out[0] = buf.getLong(q);
          q += 8;
        }
        if (compressed && q + 8 <= limit) {
          out[1] = buf.getLong(q);
          q += 8;
        }
        if (offset && q + 8 <= limit) {
          out[2] = buf.getLong(q);
        }
        break;
      }
      p += 4 + len;
    }
    if ((size && out[0] < 0) || (compressed && out[1] < 0) || (offset && out[2] < 0)) {
      throw damaged("a zip64 size is missing");
    }
    return out;
  }

  private static int findEndOfDirectory(ByteBuffer buf) {
    int last = buf.capacity() - 22;
    for (int p = last; p >= 0 && p >= last - 65535; p--) {
      if (buf.getInt(p) == END_OF_DIRECTORY && p + 22 + u16(buf, p + 20) == buf.capacity()) {
        return p;
      }
    }
    throw damaged("the end of the central directory is missing (truncated file?)");
  }

  /** Checks that [position, position + length) lies inside the buffer and returns position. */
  private static int index(ByteBuffer buf, long position, long length) {
    if (position < 0 || length < 0 || position + length > buf.capacity()) {
      throw damaged("an entry lies outside the file (truncated file?)");
    }
    return (int) position;
  }

  private static int u16(ByteBuffer buf, int position) {
    return buf.getShort(position) & 0xFFFF;
  }

  private static long u32(ByteBuffer buf, int position) {
    return buf.getInt(position) & 0xFFFFFFFFL;
  }

  private static EmbeddingFormatException damaged(String what) {
    return new EmbeddingFormatException("damaged zip archive: " + what);
  }
}
