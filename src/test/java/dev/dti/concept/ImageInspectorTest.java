package dev.dti.concept;

import static dev.dti.concept.PhotoFixtures.Corner.BOTTOM_RIGHT;
import static dev.dti.concept.PhotoFixtures.Corner.TOP_LEFT;
import static dev.dti.concept.PhotoFixtures.Corner.TOP_RIGHT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.concept.PhotoFixtures.Corner;
import dev.dti.diffusion.pipeline.Images;
import dev.dti.support.TestImages;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** What becomes of an uploaded file before it is stored, without the HTTP layer. */
class ImageInspectorTest {

  /** The defaults, bound as the application binds them. */
  private static final UploadProperties DEFAULTS = limits(Map.of());

  private static UploadProperties limits(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("dti.upload", UploadProperties.class);
  }

  @ParameterizedTest(name = "orientation {0}: {1}×{2}, marker {3}")
  @CsvSource({
    "1, 60, 40, TOP_LEFT",
    "2, 60, 40, TOP_RIGHT",
    "3, 60, 40, BOTTOM_RIGHT",
    "4, 60, 40, BOTTOM_LEFT",
    "5, 40, 60, TOP_LEFT",
    "6, 40, 60, TOP_RIGHT",
    "7, 40, 60, BOTTOM_RIGHT",
    "8, 40, 60, BOTTOM_LEFT"
  })
  void aCameraJpegIsTurnedAsItsExifOrientationSays(
      int orientation, int width, int height, Corner marker) throws Exception {
    byte[] jpeg = PhotoFixtures.cameraJpeg(60, 40, orientation);

    ImageInspector.Inspected stored = ImageInspector.inspect(jpeg, DEFAULTS);

    BufferedImage image = PhotoFixtures.decode(stored.png());
    assertThat(List.of(stored.width(), stored.height())).containsExactly(width, height);
    assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(width, height);
    assertThat(PhotoFixtures.markerCorner(image)).isEqualTo(marker);
  }

  @Test
  void theExifBlockOfTheFixtureIsReadByTheLibrary() {
    assertThat(ExifOrientation.read(PhotoFixtures.exif(6))).isEqualTo(6);
    assertThat(ExifOrientation.read(PhotoFixtures.exif(9))).as("out of range").isEqualTo(1);
    assertThat(ExifOrientation.read(new byte[] {'M', 'M', 0, 42, 0})).as("broken").isEqualTo(1);
    assertThat(ExifOrientation.read(null)).isEqualTo(1);
  }

  @Test
  void theStoredPngHasOnlyPixelChunksAndNoneOfTheCamerasMetadata() throws Exception {
    byte[] jpeg = PhotoFixtures.cameraJpeg(60, 40, 6);
    assertThat(PhotoFixtures.contains(jpeg, PhotoFixtures.MAKE)).as("the fixture").isTrue();

    byte[] png = ImageInspector.inspect(jpeg, DEFAULTS).png();

    assertThat(PhotoFixtures.chunkTypes(png)).containsExactly("IHDR", "IDAT", "IEND");
    for (String trace : List.of("Exif", "GPS", PhotoFixtures.MAKE, PhotoFixtures.MODEL)) {
      assertThat(PhotoFixtures.contains(png, trace)).as(trace).isFalse();
    }
  }

  @Test
  void theSameUploadGivesTheSameStoredBytes() throws Exception {
    byte[] jpeg = PhotoFixtures.cameraJpeg(60, 40, 6);

    assertThat(ImageInspector.inspect(jpeg, DEFAULTS).png())
        .isEqualTo(ImageInspector.inspect(jpeg.clone(), DEFAULTS).png());
  }

  @Test
  void pngTextChunksAndEXifAreDroppedAndEXifOrientationApplies() throws Exception {
    byte[] png = Images.png(PhotoFixtures.marked(60, 40));
    byte[] tagged =
        PhotoFixtures.withChunkAfterIhdr(
            PhotoFixtures.withChunkAfterIhdr(png, "eXIf", PhotoFixtures.exif(3)),
            "tEXt",
            PhotoFixtures.text("Comment", 1000));

    ImageInspector.Inspected stored = ImageInspector.inspect(tagged, DEFAULTS);

    assertThat(PhotoFixtures.chunkTypes(stored.png())).containsExactly("IHDR", "IDAT", "IEND");
    assertThat(PhotoFixtures.markerCorner(PhotoFixtures.decode(stored.png())))
        .isEqualTo(BOTTOM_RIGHT);
  }

  @Test
  void lossyAndLosslessWebpAreDecoded() throws Exception {
    for (byte[] webp : List.of(PhotoFixtures.WEBP_LOSSY, PhotoFixtures.WEBP_LOSSLESS)) {
      ImageInspector.Inspected stored = ImageInspector.inspect(webp, DEFAULTS);

      assertThat(List.of(stored.width(), stored.height())).containsExactly(48, 32);
      assertThat(PhotoFixtures.markerCorner(PhotoFixtures.decode(stored.png())))
          .isEqualTo(TOP_LEFT);
    }
  }

  @Test
  void theLosslessWebpKeepsEveryPixel() throws Exception {
    BufferedImage stored =
        PhotoFixtures.decode(ImageInspector.inspect(PhotoFixtures.WEBP_LOSSLESS, DEFAULTS).png());
    BufferedImage original = PhotoFixtures.marked(48, 32);

    assertThat(
            Arrays.equals(
                stored.getRGB(0, 0, 48, 32, null, 0, 48),
                original.getRGB(0, 0, 48, 32, null, 0, 48)))
        .as("the same pixels as the PNG cwebp read")
        .isTrue();
  }

  @Test
  void aWebpExifOrientationAppliesToo() throws Exception {
    ImageInspector.Inspected stored =
        ImageInspector.inspect(PhotoFixtures.WEBP_LOSSY_EXIF_6, DEFAULTS);

    assertThat(List.of(stored.width(), stored.height())).containsExactly(32, 48);
    assertThat(PhotoFixtures.markerCorner(PhotoFixtures.decode(stored.png()))).isEqualTo(TOP_RIGHT);
    assertThat(PhotoFixtures.contains(stored.png(), PhotoFixtures.MAKE)).isFalse();
  }

  @Test
  void anImageOverTheStoredSideIsDownscaledToItKeepingTheAspectRatio() throws Exception {
    var limits = limits(Map.of("dti.upload.max-stored-side", "256"));
    byte[] large = Images.png(PhotoFixtures.marked(1000, 500));

    ImageInspector.Inspected stored = ImageInspector.inspect(large, limits);

    BufferedImage image = PhotoFixtures.decode(stored.png());
    assertThat(List.of(stored.width(), stored.height())).containsExactly(256, 128);
    assertThat(List.of(image.getWidth(), image.getHeight())).containsExactly(256, 128);
    assertThat(PhotoFixtures.markerCorner(image)).isEqualTo(TOP_LEFT);
  }

  @Test
  void anImageAtTheStoredSideIsKeptAtItsSize() throws Exception {
    var limits = limits(Map.of("dti.upload.max-stored-side", "256"));
    ImageInspector.Inspected stored = ImageInspector.inspect(TestImages.png(256, 100), limits);

    assertThat(List.of(stored.width(), stored.height())).containsExactly(256, 100);
  }

  @Test
  void aPngWhoseChunkFailsItsCrcIsRefused() {
    byte[] damaged = PhotoFixtures.withDamagedIdat(TestImages.png(64, 64));

    assertThatThrownBy(() -> ImageInspector.inspect(damaged, DEFAULTS))
        .isInstanceOf(ImageInspector.Refused.class)
        .hasMessage(
            "is a damaged PNG: the checksum (CRC) of its IDAT chunk at byte 33 does not match the"
                + " chunk's contents");
  }

  @Test
  void fiveMegabytesOfTextAroundA64x64ImageAreRefused() {
    byte[] png =
        PhotoFixtures.withChunkAfterIhdr(
            TestImages.png(64, 64), "tEXt", PhotoFixtures.text("Comment", 5 * 1024 * 1024));

    assertThatThrownBy(() -> ImageInspector.inspect(png, DEFAULTS))
        .isInstanceOf(ImageInspector.Refused.class)
        .hasMessageStartingWith(
            "carries 5242900 bytes of metadata (text chunks, EXIF, XMP, ICC profiles, comments or"
                + " data after the image) beside its pixels; at most 1313")
        .hasMessageEndingWith(
            " bytes are accepted: the larger of 262144 bytes and 25 % of the file");
  }

  @Test
  void metadataUpToTheLimitIsAcceptedAndDropped() throws Exception {
    byte[] png =
        PhotoFixtures.withChunkAfterIhdr(
            TestImages.png(64, 64), "zTXt", PhotoFixtures.text("Comment", 200 * 1024));

    ImageInspector.Inspected stored = ImageInspector.inspect(png, DEFAULTS);

    assertThat(stored.png().length).isLessThan(png.length - 200 * 1024);
  }

  @Test
  void jpegCommentsAndDataAfterTheEndOfImageCountAsMetadata() throws Exception {
    byte[] jpeg = PhotoFixtures.jpeg(PhotoFixtures.marked(64, 64));
    byte[] trailing = Arrays.copyOf(jpeg, jpeg.length + 300 * 1024);

    assertThat(ImageContainer.scan(jpeg).metadataBytes()).as("APP0 JFIF").isEqualTo(18);
    assertThat(ImageContainer.scan(trailing).metadataBytes()).isEqualTo(18 + 300 * 1024);
    assertThatThrownBy(() -> ImageInspector.inspect(trailing, DEFAULTS))
        .isInstanceOf(ImageInspector.Refused.class)
        .hasMessageContaining("bytes of metadata");
  }

  @Test
  void aProgressiveJpegIsWalkedScanByScan() throws Exception {
    byte[] progressive = PhotoFixtures.progressiveJpeg(PhotoFixtures.marked(64, 48));
    int scans = 0;
    for (int i = 0; i + 1 < progressive.length; i++) {
      scans += (progressive[i] & 0xFF) == 0xFF && (progressive[i + 1] & 0xFF) == 0xDA ? 1 : 0;
    }
    assertThat(scans).as("SOS markers").isGreaterThan(1);

    assertThat(ImageContainer.scan(progressive).metadataBytes()).as("APP0 JFIF").isEqualTo(18);
    assertThat(
            PhotoFixtures.markerCorner(
                PhotoFixtures.decode(ImageInspector.inspect(progressive, DEFAULTS).png())))
        .isEqualTo(TOP_LEFT);
  }

  @Test
  void aTruncatedWebpIsRefused() {
    byte[] cut = Arrays.copyOf(PhotoFixtures.WEBP_LOSSY, 80);

    assertThatThrownBy(() -> ImageInspector.inspect(cut, DEFAULTS))
        .isInstanceOf(ImageInspector.Refused.class)
        .hasMessage(
            "is damaged or truncated: its WebP RIFF container (it declares 142 bytes) runs past"
                + " the end of the file");
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheAcceptedOnes() {
    assertThatThrownBy(() -> ImageInspector.inspect("GIF89a....".getBytes(), DEFAULTS))
        .isInstanceOf(ImageInspector.Refused.class)
        .hasMessage("is not a PNG, JPEG or WebP image (the format is read from the bytes)");
  }
}
