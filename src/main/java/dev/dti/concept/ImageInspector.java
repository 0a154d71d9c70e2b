package dev.dti.concept;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks that uploaded bytes are a PNG or JPEG image of acceptable size, in an order that keeps
 * hostile files cheap: the format from the magic bytes, then the dimensions from the header alone
 * (PNG IHDR, JPEG SOF), and only then a full decode to prove the file is intact.
 */
final class ImageInspector {

  /** A verified image. */
  record Inspected(String contentType, int width, int height) {}

  /** Why an image was refused, in words for the client. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  static {
    ImageIO.setUseCache(false); // decode in memory; no temporary files per upload
  }

  private ImageInspector() {}

  static Inspected inspect(byte[] bytes, int maxPixelsPerSide) throws Refused {
    String format = sniffFormat(bytes);
    if (format == null) {
      throw new Refused("is not a PNG or JPEG image (the format is read from the bytes)");
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("The JDK has no ImageIO reader for " + format);
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new Refused("has a damaged " + format.toUpperCase(Locale.ROOT) + " header");
      }
      if (width > maxPixelsPerSide || height > maxPixelsPerSide) {
        throw new Refused(
            "is "
                + width
                + "×"
                + height
                + " pixels; at most "
                + maxPixelsPerSide
                + " pixels per side are accepted");
      }
      if (width < 1 || height < 1) {
        throw new Refused("declares an empty image (" + width + "×" + height + ")");
      }
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      try {
        reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw new Refused("is damaged or truncated and cannot be decoded");
      }
      if (!warnings.isEmpty()) {
        // The JPEG reader reports a truncated file as a warning and returns a partial image.
        throw new Refused("is damaged or truncated: " + warnings.getFirst());
      }
      return new Inspected("image/" + format, width, height);
    } catch (IOException e) {
      throw new Refused("cannot be read");
    } finally {
      reader.dispose();
    }
  }

  private static String sniffFormat(byte[] bytes) {
    if (bytes.length >= PNG_SIGNATURE.length
        && Arrays.equals(bytes, 0, PNG_SIGNATURE.length, PNG_SIGNATURE, 0, PNG_SIGNATURE.length)) {
      return "png";
    }
    if (bytes.length >= 3
        && (bytes[0] & 0xFF) == 0xFF
        && (bytes[1] & 0xFF) == 0xD8
        && (bytes[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    return null;
  }
}
