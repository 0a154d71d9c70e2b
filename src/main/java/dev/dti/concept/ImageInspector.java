package dev.dti.concept;

import dev.dti.diffusion.pipeline.Images;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns uploaded bytes into the image that is stored and trained on, in an order that keeps hostile
 * files cheap: the container's structure and metadata size ({@link ImageContainer}), the dimensions
 * from the header alone (PNG IHDR, JPEG SOF, WebP VP8/VP8L/VP8X), and only then a full decode that
 * proves the file intact. The decoded pixels are turned upright by the EXIF orientation ({@link
 * ExifOrientation}), shrunk to the stored long side ({@link ImageDownscaler}) and encoded as a
 * fresh PNG, which carries no chunk but IHDR, IDAT and IEND: nothing of the upload's metadata
 * (EXIF, GPS, XMP, ICC profiles, comments, text chunks) is kept.
 */
final class ImageInspector {

  /** The stored PNG and its size, as shown (after orientation and downscaling). */
  record Inspected(int width, int height, byte[] png) {
    static final String CONTENT_TYPE = "image/png";
  }

  /** Why an image was refused, in words for the client. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }
  }

  static {
    ImageIO.setUseCache(false); // decode in memory; no temporary files per upload
  }

  private ImageInspector() {}

  static Inspected inspect(byte[] bytes, UploadProperties limits) throws Refused {
    ImageContainer container = ImageContainer.scan(bytes);
    long allowedMetadata =
        Math.max(
            limits.maxMetadataBytes().toBytes(),
            (long) bytes.length * limits.maxMetadataPercent() / 100);
    if (container.metadataBytes() > allowedMetadata) {
      throw new Refused(
          "carries "
              + container.metadataBytes()
              + " bytes of metadata (text chunks, EXIF, XMP, ICC profiles, comments or data after"
              + " the image) beside its pixels; at most "
              + allowedMetadata
              + " bytes are accepted: the larger of "
              + limits.maxMetadataBytes().toBytes()
              + " bytes and "
              + limits.maxMetadataPercent()
              + " % of the file");
    }
    BufferedImage decoded = decode(bytes, container.format(), limits.maxPixelsPerSide());
    BufferedImage upright =
        ExifOrientation.apply(intPixels(decoded), ExifOrientation.read(container.exif()));
    BufferedImage stored = ImageDownscaler.fitLongSide(upright, limits.maxStoredSide());
    return new Inspected(stored.getWidth(), stored.getHeight(), Images.png(stored));
  }

  private static BufferedImage decode(byte[] bytes, String format, int maxPixelsPerSide)
      throws Refused {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new IllegalStateException("ImageIO has no reader for " + format);
    }
    ImageReader reader = readers.next();
    String name = format.equals("webp") ? "WebP" : format.toUpperCase(Locale.ROOT);
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new Refused("has a damaged " + name + " header");
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
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw new Refused("is damaged or truncated and cannot be decoded");
      }
      if (!warnings.isEmpty()) {
        // The JPEG reader reports a truncated file as a warning and returns a partial image.
        throw new Refused("is damaged or truncated: " + warnings.getFirst());
      }
      return image;
    } catch (IOException e) {
      throw new Refused("cannot be read");
    } finally {
      reader.dispose();
    }
  }

  /**
   * The pixels as 8-bit RGB ints, with alpha when the image has any: one layout for orientation,
   * scaling and encoding, whatever the upload's bit depth or palette.
   */
  private static BufferedImage intPixels(BufferedImage image) {
    int type =
        image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    if (image.getType() == type) {
      return image;
    }
    var converted = new BufferedImage(image.getWidth(), image.getHeight(), type);
    Graphics2D g = converted.createGraphics();
    try {
      g.drawImage(image, 0, 0, null);
    } finally {
      g.dispose();
    }
    return converted;
  }
}
