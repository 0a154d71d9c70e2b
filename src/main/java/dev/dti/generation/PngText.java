package dev.dti.generation;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Text metadata in PNG files: {@code tEXt} chunks (Latin-1), or {@code iTXt} (UTF-8) for values
 * Latin-1 cannot hold, inserted right after {@code IHDR}. Reading returns both kinds.
 */
public final class PngText {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int IHDR_END = SIGNATURE.length + 4 + 4 + 13 + 4;

  private PngText() {}

  /** The PNG with one text chunk per entry, in order. Keywords are 1–79 Latin-1 characters. */
  public static byte[] withText(byte[] png, Map<String, String> text) {
    if (png.length < IHDR_END || !Arrays.equals(png, 0, 8, SIGNATURE, 0, 8)) {
      throw new IllegalArgumentException("not a PNG");
    }
    var out = new ByteArrayOutputStream(png.length + 1024);
    out.write(png, 0, IHDR_END);
    CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();
    text.forEach(
        (keyword, value) -> {
          if (keyword.isEmpty() || keyword.length() > 79 || !latin1.canEncode(keyword)) {
            throw new IllegalArgumentException("invalid PNG text keyword '" + keyword + "'");
          }
          byte[] key = keyword.getBytes(StandardCharsets.ISO_8859_1);
          if (latin1.canEncode(value)) {
            chunk(
                out,
                "tEXt",
                concat(key, new byte[] {0}, value.getBytes(StandardCharsets.ISO_8859_1)));
          } else {
            // keyword, 0, compression flag 0, method 0, empty language tag 0, empty translation 0
            chunk(
                out,
                "iTXt",
                concat(key, new byte[] {0, 0, 0, 0, 0}, value.getBytes(StandardCharsets.UTF_8)));
          }
        });
    out.write(png, IHDR_END, png.length - IHDR_END);
    return out.toByteArray();
  }

  /** The tEXt and uncompressed iTXt entries of a PNG, in file order. */
  public static Map<String, String> read(byte[] png) {
    Map<String, String> text = new LinkedHashMap<>();
    ByteBuffer buffer = ByteBuffer.wrap(png);
    int pos = SIGNATURE.length;
    while (pos + 8 <= png.length) {
      int length = buffer.getInt(pos);
      String type = new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1);
      int data = pos + 8;
      if (type.equals("tEXt") || type.equals("iTXt")) {
        int zero = data;
        while (png[zero] != 0) {
          zero++;
        }
        String key = new String(png, data, zero - data, StandardCharsets.ISO_8859_1);
        if (type.equals("tEXt")) {
          text.put(
              key,
              new String(png, zero + 1, data + length - zero - 1, StandardCharsets.ISO_8859_1));
        } else {
          int start = zero + 3; // flag, method
          while (png[start] != 0) {
            start++; // language tag
          }
          start++;
          while (png[start] != 0) {
            start++; // translated keyword
          }
          start++;
          text.put(key, new String(png, start, data + length - start, StandardCharsets.UTF_8));
        }
      }
      pos = data + length + 4;
    }
    return text;
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Writes one PNG chunk: length, type, data, and the CRC-32 of type and data. */
  public static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    var crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
