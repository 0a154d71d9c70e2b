package dev.dti.support;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;

/** Test images made in code: real PNG/JPEG files and deliberately broken ones. */
public final class TestImages {

  private TestImages() {}

  /** A PNG of random noise (noise does not compress, so the size grows with the pixels). */
  public static byte[] png(int width, int height) {
    return encode(noise(width, height, BufferedImage.TYPE_INT_RGB), "png");
  }

  public static byte[] jpeg(int width, int height) {
    return encode(noise(width, height, BufferedImage.TYPE_INT_RGB), "jpeg");
  }

  /** The first half of a valid PNG. */
  public static byte[] truncatedPng() {
    byte[] png = png(64, 64);
    return Arrays.copyOf(png, png.length / 2);
  }

  /** The first half of a valid JPEG. */
  public static byte[] truncatedJpeg() {
    byte[] jpeg = jpeg(64, 64);
    return Arrays.copyOf(jpeg, jpeg.length / 2);
  }

  /**
   * A well-formed PNG whose IHDR declares {@code width}×{@code height} pixels but whose IDAT holds
   * a few bytes: decoding it would allocate width×height×3 bytes, so it must be refused from the
   * header.
   */
  public static byte[] pngDeclaring(int width, int height) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB
    chunk(out, "IHDR", ihdr.array());
    var deflater = new Deflater();
    deflater.setInput(new byte[] {0, 0, 0, 0});
    deflater.finish();
    byte[] compressed = new byte[64];
    int length = deflater.deflate(compressed);
    chunk(out, "IDAT", Arrays.copyOf(compressed, length));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  /** Writes one PNG chunk: length, type, data and the CRC of type and data. */
  public static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(typeBytes);
    out.writeBytes(data);
    var crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static BufferedImage noise(int width, int height, int type) {
    var image = new BufferedImage(width, height, type);
    var random = new Random(width * 31L + height);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  private static byte[] encode(BufferedImage image, String format) {
    try {
      var out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("No ImageIO writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
