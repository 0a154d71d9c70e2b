package dev.dti.concept;

import com.twelvemonkeys.imageio.metadata.CompoundDirectory;
import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF Orientation tag (274) and the turn it asks for. A camera stores the sensor's pixels as
 * they were read out and records in the tag how to show them; a viewer that ignores it shows a
 * portrait photo lying on its side. Values, as the EXIF standard names them (where row 0 and column
 * 0 of the stored pixels belong):
 *
 * <pre>
 * 1 top-left      as stored                 5 left-top      transposed (mirror + 270° clockwise)
 * 2 top-right     mirrored left-right       6 right-top     rotate 90° clockwise
 * 3 bottom-right  rotate 180°               7 right-bottom  transversed (mirror + 90° clockwise)
 * 4 bottom-left   mirrored top-bottom       8 left-bottom   rotate 270° clockwise
 * </pre>
 */
final class ExifOrientation {

  static final int AS_STORED = 1;

  private ExifOrientation() {}

  /**
   * The orientation in IFD0 of an EXIF block (a TIFF structure); {@link #AS_STORED} when there is
   * no block, no tag, a value outside 1–8, or the block cannot be parsed: metadata is dropped
   * anyway, so a damaged EXIF block does not refuse a photo whose pixels are intact.
   */
  static int read(byte[] exif) {
    if (exif == null || exif.length == 0) {
      return AS_STORED;
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(exif))) {
      Directory directory = new TIFFReader().read(in);
      Directory ifd0 =
          directory instanceof CompoundDirectory compound && compound.directoryCount() > 0
              ? compound.getDirectory(0)
              : directory;
      Entry entry = ifd0.getEntryById(TIFF.TAG_ORIENTATION);
      if (entry != null && entry.getValue() instanceof Number value) {
        int orientation = value.intValue();
        return orientation >= 1 && orientation <= 8 ? orientation : AS_STORED;
      }
      return AS_STORED;
    } catch (IOException | RuntimeException unparseable) {
      return AS_STORED;
    }
  }

  /**
   * The image as it should be shown: a new image of the same type, or {@code image} itself for 1.
   * {@code image} is {@code TYPE_INT_RGB} or {@code TYPE_INT_ARGB}, so pixels are copied as ints.
   */
  static BufferedImage apply(BufferedImage image, int orientation) {
    if (orientation == AS_STORED) {
      return image;
    }
    int w = image.getWidth();
    int h = image.getHeight();
    boolean swapsSides = orientation >= 5;
    int outW = swapsSides ? h : w;
    int outH = swapsSides ? w : h;
    var oriented = new BufferedImage(outW, outH, image.getType());
    int[] source = pixels(image);
    int[] target = pixels(oriented);
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        // (sx, sy): the stored pixel shown at (x, y).
        int sx;
        int sy;
        switch (orientation) {
          case 2 -> {
            sx = w - 1 - x;
            sy = y;
          }
          case 3 -> {
            sx = w - 1 - x;
            sy = h - 1 - y;
          }
          case 4 -> {
            sx = x;
            sy = h - 1 - y;
          }
          case 5 -> {
            sx = y;
            sy = x;
          }
          case 6 -> {
            sx = y;
            sy = h - 1 - x;
          }
          case 7 -> {
            sx = w - 1 - y;
            sy = h - 1 - x;
          }
          case 8 -> {
            sx = w - 1 - y;
            sy = x;
          }
          default -> throw new IllegalArgumentException("orientation " + orientation);
        }
        target[y * outW + x] = source[sy * w + sx];
      }
    }
    return oriented;
  }

  private static int[] pixels(BufferedImage image) {
    return ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
  }
}
