package dev.dti.concept;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * Photos as cameras and phones write them, made in code: a JPEG from ImageIO with the JFIF APP0
 * replaced by an APP1 Exif segment (IFD0 with Make, Model and Orientation, a GPS IFD with latitude
 * and longitude), PNGs with extra or damaged chunks, and small WebP files.
 */
final class PhotoFixtures {

  static final String MAKE = "DtiTestCamera";
  static final String MODEL = "Phone X1";
  static final Color BACKGROUND = new Color(40, 90, 200);
  static final Color MARKER = new Color(230, 20, 20);

  /** A corner of an image, as a viewer shows it. */
  enum Corner {
    TOP_LEFT,
    TOP_RIGHT,
    BOTTOM_LEFT,
    BOTTOM_RIGHT
  }

  /**
   * The files {@code cwebp} (libwebp 1.2.4) wrote from {@link #marked}(48, 32), PNG-encoded: {@code
   * cwebp -q 90} and {@code cwebp -lossless}; ImageIO has no WebP writer. The third is the lossy
   * one with {@link #exif}(6) added by {@code webpmux -set exif}.
   */
  static final byte[] WEBP_LOSSY =
      Base64.getDecoder()
          .decode(
              "UklGRoYAAABXRUJQVlA4IHoAAACwBACdASowACAAPjEYikOiIaEStAAgAwSygDsATgBXf+4AbwB/IAEA"
                  + "/gLYVvQAAP75wN4ePBf//TR/LuZHTJXa/+vPLkfwH2mP8LpUTxeytmK8rb///2pZ/cN7utj//l3/96/b"
                  + "hF//5ov/M6QMvW/FecXqT/rsrLgAAA==");

  static final byte[] WEBP_LOSSLESS =
      Base64.getDecoder()
          .decode("UklGRi4AAABXRUJQVlA4TCIAAAAvL8AHAA9wCqMLmZ+Cdv5DC2TCEPqn1WAF+CP6PwEpLPgN");

  static final byte[] WEBP_LOSSY_EXIF_6 =
      Base64.getDecoder()
          .decode(
              "UklGRlwBAABXRUJQVlA4WAoAAAAIAAAALwAAHwAAVlA4IHoAAACwBACdASowACAAPjEYikOiIaEStAAg"
                  + "AwSygDsATgBXf+4AbwB/IAEA/gLYVvQAAP75wN4ePBf//TR/LuZHTJXa/+vPLkfwH2mP8LpUTxeytmK8"
                  + "rb///2pZ/cN7utj//l3/96/bhF//5ov/M6QMvW/FecXqT/rsrLgAAEVYSUa8AAAATU0AKgAAAAgABAEP"
                  + "AAIAAAAOAAAAPgEQAAIAAAAJAAAATAESAAMAAAABAAYAAIglAAQAAAABAAAAVgAAAABEdGlUZXN0Q2Ft"
                  + "ZXJhAFBob25lIFgxAAAABAABAAIAAAACTgAAAAACAAUAAAADAAAAjAADAAIAAAACRQAAAAAEAAUAAAAD"
                  + "AAAApAAAAAAAAAAwAAAAAQAAADMAAAABAAAAGAAAAAEAAAACAAAAAQAAABUAAAABAAAAAwAAAAE=");

  private PhotoFixtures() {}

  /** {@code width}×{@code height} of {@link #BACKGROUND} with a {@link #MARKER} square top-left. */
  static BufferedImage marked(int width, int height) {
    var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(BACKGROUND);
    g.fillRect(0, 0, width, height);
    g.setColor(MARKER);
    int side = Math.max(4, Math.min(width, height) * 3 / 8);
    g.fillRect(0, 0, side, side);
    g.dispose();
    return image;
  }

  /** The corner whose pixel is the marker's colour; fails unless exactly one is. */
  static Corner markerCorner(BufferedImage image) {
    int w = image.getWidth() - 2;
    int h = image.getHeight() - 2;
    List<Corner> red = new ArrayList<>();
    int[][] points = {{1, 1}, {w, 1}, {1, h}, {w, h}};
    for (int i = 0; i < 4; i++) {
      var color = new Color(image.getRGB(points[i][0], points[i][1]));
      if (color.getRed() > 180 && color.getGreen() < 90 && color.getBlue() < 90) {
        red.add(Corner.values()[i]);
      }
    }
    if (red.size() != 1) {
      throw new AssertionError("expected the marker in one corner, found it in " + red);
    }
    return red.getFirst();
  }

  static BufferedImage decode(byte[] bytes) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
      if (image == null) {
        throw new AssertionError("ImageIO cannot decode these bytes");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A baseline JPEG at quality 0.95, as ImageIO writes it (SOI, APP0 JFIF, …). */
  static byte[] jpeg(BufferedImage image) {
    return jpeg(image, false);
  }

  /** A progressive JPEG: several scans, with Huffman tables between them. */
  static byte[] progressiveJpeg(BufferedImage image) {
    return jpeg(image, true);
  }

  private static byte[] jpeg(BufferedImage image, boolean progressive) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    var out = new ByteArrayOutputStream();
    try (var stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.95f);
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /**
   * A camera JPEG: the pixels of {@link #marked} as the sensor stored them, SOI, then an APP1 Exif
   * segment with {@link #exif}({@code orientation}) where ImageIO's APP0 JFIF segment was.
   */
  static byte[] cameraJpeg(int width, int height, int orientation) {
    byte[] plain = jpeg(marked(width, height));
    int app0Length = ((plain[4] & 0xFF) << 8) | (plain[5] & 0xFF);
    if ((plain[3] & 0xFF) != 0xE0) {
      throw new IllegalStateException("ImageIO wrote no APP0 after SOI");
    }
    byte[] exif = exif(orientation);
    byte[] payload = new byte[6 + exif.length];
    System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 6);
    System.arraycopy(exif, 0, payload, 6, exif.length);
    var out = new ByteArrayOutputStream();
    out.write(0xFF);
    out.write(0xD8);
    out.write(0xFF);
    out.write(0xE1);
    out.write((payload.length + 2) >> 8);
    out.write((payload.length + 2) & 0xFF);
    out.writeBytes(payload);
    out.write(plain, 4 + app0Length, plain.length - 4 - app0Length);
    return out.toByteArray();
  }

  /**
   * An EXIF block (a big-endian TIFF structure) as a phone writes one: IFD0 with Make {@link
   * #MAKE}, Model {@link #MODEL}, Orientation and a pointer to a GPS IFD holding 48°51'24"N,
   * 2°21'3"E.
   */
  static byte[] exif(int orientation) {
    byte[] make = ascii(MAKE);
    byte[] model = ascii(MODEL);
    int ifd0 = 8;
    int ifd0Size = 2 + 4 * 12 + 4;
    int makeAt = ifd0 + ifd0Size;
    int modelAt = makeAt + make.length;
    int gpsAt = even(modelAt + model.length);
    int gpsSize = 2 + 4 * 12 + 4;
    int latitudeAt = gpsAt + gpsSize;
    int longitudeAt = latitudeAt + 24;
    ByteBuffer tiff = ByteBuffer.allocate(longitudeAt + 24); // big-endian: "MM"
    tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(ifd0);
    tiff.putShort((short) 4);
    entry(tiff, 0x010F, 2, make.length, makeAt); // Make, ASCII
    entry(tiff, 0x0110, 2, model.length, modelAt); // Model, ASCII
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1); // Orientation, SHORT
    tiff.putShort((short) orientation).putShort((short) 0);
    entry(tiff, 0x8825, 4, 1, gpsAt); // GPSInfo IFD pointer, LONG
    tiff.putInt(0); // no IFD1
    tiff.put(make).put(model);
    tiff.position(gpsAt);
    tiff.putShort((short) 4);
    tiff.putShort((short) 1).putShort((short) 2).putInt(2).put(ascii("N")).putShort((short) 0);
    entry(tiff, 2, 5, 3, latitudeAt); // GPSLatitude, 3 RATIONAL
    tiff.putShort((short) 3).putShort((short) 2).putInt(2).put(ascii("E")).putShort((short) 0);
    entry(tiff, 4, 5, 3, longitudeAt); // GPSLongitude, 3 RATIONAL
    tiff.putInt(0);
    tiff.putInt(48).putInt(1).putInt(51).putInt(1).putInt(24).putInt(1);
    tiff.putInt(2).putInt(1).putInt(21).putInt(1).putInt(3).putInt(1);
    return tiff.array();
  }

  /** {@code png} with a chunk inserted right after IHDR. */
  static byte[] withChunkAfterIhdr(byte[] png, String type, byte[] data) {
    int afterIhdr = 8 + 12 + 13;
    var out = new ByteArrayOutputStream();
    out.write(png, 0, afterIhdr);
    dev.dti.generation.PngText.chunk(out, type, data);
    out.write(png, afterIhdr, png.length - afterIhdr);
    return out.toByteArray();
  }

  /** A tEXt chunk's data: keyword, NUL, then {@code length} bytes of Latin-1 text. */
  static byte[] text(String keyword, int length) {
    byte[] data = new byte[keyword.length() + 1 + length];
    System.arraycopy(ascii(keyword), 0, data, 0, keyword.length());
    for (int i = keyword.length() + 1; i < data.length; i++) {
      data[i] = (byte) ('a' + i % 26);
    }
    return data;
  }

  /** {@code png} with one bit of its first IDAT chunk's data flipped: its CRC no longer fits. */
  static byte[] withDamagedIdat(byte[] png) {
    byte[] damaged = png.clone();
    int position = 8;
    while (!new String(damaged, position + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) {
      position += 12 + ByteBuffer.wrap(damaged, position, 4).getInt();
    }
    damaged[position + 8 + 2] ^= 0x01;
    return damaged;
  }

  /** The chunk types of a PNG, in order. */
  static List<String> chunkTypes(byte[] png) {
    List<String> types = new ArrayList<>();
    int position = 8;
    while (position < png.length) {
      types.add(new String(png, position + 4, 4, StandardCharsets.US_ASCII));
      position += 12 + ByteBuffer.wrap(png, position, 4).getInt();
    }
    return types;
  }

  static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.ISO_8859_1);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static void entry(ByteBuffer tiff, int tag, int type, int count, int offset) {
    tiff.putShort((short) tag).putShort((short) type).putInt(count).putInt(offset);
  }

  private static byte[] ascii(String text) {
    return (text + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  private static int even(int offset) {
    return offset + (offset & 1);
  }
}
