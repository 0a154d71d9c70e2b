package dev.dti.concept;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The structure around an upload's pixels, read before anything is decoded: the format from the
 * magic bytes, the EXIF block (a TIFF structure, parsed by {@link ExifOrientation}) and how many
 * bytes are not needed to draw the image (text chunks, EXIF, XMP, ICC profiles, comments, bytes
 * after the image's end). PNG chunks must pass their CRC; the JDK's PNG decoder does not check it.
 *
 * <p>Pixel data is, for PNG, the chunks IHDR, PLTE, tRNS, IDAT and IEND; for JPEG, every segment
 * but APP0–APP15 and COM, up to the first EOI; for WebP, the chunks VP8X, VP8, VP8L, ALPH, ANIM and
 * ANMF. Everything else counts as metadata, including each chunk's own header.
 *
 * @param format the ImageIO format name: {@code png}, {@code jpeg} or {@code webp}
 * @param exif the EXIF block as a TIFF structure, {@code null} when the file has none
 * @param metadataBytes bytes of the file that are not pixel data
 */
record ImageContainer(String format, byte[] exif, long metadataBytes) {

  /** The sentence of a refused upload names these; keep it in step with {@link #scan}. */
  static final String ACCEPTED_FORMATS = "PNG, JPEG or WebP";

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final Set<String> PNG_PIXEL_CHUNKS =
      Set.of("IHDR", "PLTE", "tRNS", "IDAT", "IEND");
  private static final Set<String> WEBP_PIXEL_CHUNKS =
      Set.of("VP8X", "VP8 ", "VP8L", "ALPH", "ANIM", "ANMF");
  private static final byte[] EXIF_APP1_PREFIX = {'E', 'x', 'i', 'f', 0, 0};

  /** Reads the container; throws when the format is unknown or its structure is damaged. */
  static ImageContainer scan(byte[] bytes) throws ImageInspector.Refused {
    if (startsWith(bytes, 0, PNG_SIGNATURE)) {
      return png(bytes);
    }
    if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xFF
        && (bytes[1] & 0xFF) == 0xD8
        && (bytes[2] & 0xFF) == 0xFF) {
      return jpeg(bytes);
    }
    if (bytes.length >= 12
        && ascii(bytes, 0, 4).equals("RIFF")
        && ascii(bytes, 8, 4).equals("WEBP")) {
      return webp(bytes);
    }
    throw new ImageInspector.Refused(
        "is not a " + ACCEPTED_FORMATS + " image (the format is read from the bytes)");
  }

  private static ImageContainer png(byte[] bytes) throws ImageInspector.Refused {
    ByteBuffer in = ByteBuffer.wrap(bytes); // PNG is big-endian, ByteBuffer's default
    in.position(PNG_SIGNATURE.length);
    byte[] exif = null;
    long metadata = 0;
    boolean ended = false;
    while (!ended) {
      int start = in.position();
      if (in.remaining() < 12) {
        throw truncated("PNG", "chunk at byte " + start);
      }
      long length = Integer.toUnsignedLong(in.getInt());
      String type = ascii(bytes, start + 4, 4);
      if (length > in.remaining() - 8) {
        throw truncated("PNG", type + " chunk at byte " + start);
      }
      var crc = new CRC32();
      crc.update(bytes, start + 4, 4 + (int) length);
      int stored = in.getInt(start + 8 + (int) length);
      if ((int) crc.getValue() != stored) {
        throw new ImageInspector.Refused(
            "is a damaged PNG: the checksum (CRC) of its "
                + printable(type)
                + " chunk at byte "
                + start
                + " does not match the chunk's contents");
      }
      if (type.equals("eXIf") && exif == null) {
        exif = Arrays.copyOfRange(bytes, start + 8, start + 8 + (int) length);
      }
      if (!PNG_PIXEL_CHUNKS.contains(type)) {
        metadata += 12 + length;
      }
      ended = type.equals("IEND");
      in.position(start + 12 + (int) length);
    }
    metadata += in.remaining();
    return new ImageContainer("png", exif, metadata);
  }

  private static ImageContainer jpeg(byte[] bytes) throws ImageInspector.Refused {
    int position = 2; // after SOI
    byte[] exif = null;
    long metadata = 0;
    while (true) {
      if (position >= bytes.length || (bytes[position] & 0xFF) != 0xFF) {
        throw truncated("JPEG", "segment at byte " + position);
      }
      while (position < bytes.length && (bytes[position] & 0xFF) == 0xFF) {
        position++; // a marker may be preceded by fill bytes 0xFF
      }
      if (position >= bytes.length) {
        throw truncated("JPEG", "marker at byte " + position);
      }
      int marker = bytes[position++] & 0xFF;
      if (marker == 0xD9) { // EOI
        break;
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // TEM and RSTn stand alone
      }
      if (position + 2 > bytes.length) {
        throw truncated("JPEG", "segment at byte " + position);
      }
      int length = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
      if (length < 2 || position + length > bytes.length) {
        throw truncated("JPEG", "segment at byte " + position);
      }
      boolean app = marker >= 0xE0 && marker <= 0xEF;
      if (app || marker == 0xFE) {
        metadata += 2 + length;
      }
      if (marker == 0xE1 && exif == null && startsWith(bytes, position + 2, EXIF_APP1_PREFIX)) {
        exif = Arrays.copyOfRange(bytes, position + 2 + EXIF_APP1_PREFIX.length, position + length);
      }
      position += length;
      if (marker == 0xDA) { // SOS: entropy-coded data up to the next marker that is not RSTn
        position = endOfScan(bytes, position);
      }
    }
    metadata += bytes.length - position;
    return new ImageContainer("jpeg", exif, metadata);
  }

  /** The position of the 0xFF of the first marker after a scan's entropy-coded data. */
  private static int endOfScan(byte[] bytes, int position) throws ImageInspector.Refused {
    while (position + 1 < bytes.length) {
      if ((bytes[position] & 0xFF) == 0xFF) {
        int next = bytes[position + 1] & 0xFF;
        boolean stuffedOrRestart = next == 0x00 || (next >= 0xD0 && next <= 0xD7);
        if (!stuffedOrRestart && next != 0xFF) {
          return position;
        }
        position += next == 0xFF ? 1 : 2;
      } else {
        position++;
      }
    }
    throw truncated("JPEG", "scan (the file ends before its end-of-image marker)");
  }

  private static ImageContainer webp(byte[] bytes) throws ImageInspector.Refused {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long riffEnd = 8 + Integer.toUnsignedLong(in.getInt(4));
    if (riffEnd > bytes.length) {
      throw truncated("WebP", "RIFF container (it declares " + riffEnd + " bytes)");
    }
    byte[] exif = null;
    long metadata = bytes.length - riffEnd;
    int position = 12;
    while (position < riffEnd) {
      if (position + 8 > riffEnd) {
        throw truncated("WebP", "chunk at byte " + position);
      }
      String type = ascii(bytes, position, 4);
      long length = Integer.toUnsignedLong(in.getInt(position + 4));
      long padded = length + (length & 1);
      if (position + 8 + length > riffEnd) {
        throw truncated("WebP", printable(type) + " chunk at byte " + position);
      }
      if (type.equals("EXIF") && exif == null) {
        int from = position + 8;
        int to = from + (int) length;
        // Some writers keep the JPEG APP1 prefix in the chunk.
        exif =
            Arrays.copyOfRange(
                bytes, startsWith(bytes, from, EXIF_APP1_PREFIX) ? from + 6 : from, to);
      }
      if (!WEBP_PIXEL_CHUNKS.contains(type)) {
        metadata += 8 + padded;
      }
      position = (int) Math.min(riffEnd, position + 8 + padded);
    }
    return new ImageContainer("webp", exif, metadata);
  }

  private static ImageInspector.Refused truncated(String format, String where) {
    return new ImageInspector.Refused(
        "is damaged or truncated: its " + format + " " + where + " runs past the end of the file");
  }

  private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
    return bytes.length >= offset + prefix.length
        && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
  }

  private static String ascii(byte[] bytes, int offset, int length) {
    return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
  }

  /** A chunk type as the client can read it in a sentence, whatever its bytes. */
  private static String printable(String type) {
    return type.chars().allMatch(c -> c >= 0x21 && c <= 0x7E) ? type.strip() : "unnamed";
  }
}
