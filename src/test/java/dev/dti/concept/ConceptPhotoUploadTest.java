package dev.dti.concept;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.concept.PhotoFixtures.Corner;
import dev.dti.support.ApiClient.Response;
import dev.dti.support.ApiTest;
import dev.dti.support.Multipart;
import dev.dti.support.TestImages;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Uploads as phones and cameras make them, through the REST API: turned upright, stripped of
 * metadata, downscaled, and refused when their structure is damaged or mostly metadata. The limits
 * here let a 5 MB file in and downscale anything over 256 pixels.
 */
@TestPropertySource(
    properties = {
      "dti.upload.max-image-bytes=8MB",
      "dti.upload.max-total-bytes=20MB",
      "dti.upload.max-stored-side=256"
    })
class ConceptPhotoUploadTest extends ApiTest {

  @Autowired ConceptService concepts;

  @ParameterizedTest(name = "orientation {0}: stored {1}×{2}, marker {3}")
  @CsvSource({
    "3, 60, 40, BOTTOM_RIGHT",
    "6, 40, 60, TOP_RIGHT",
    "8, 40, 60, BOTTOM_LEFT",
    "2, 60, 40, TOP_RIGHT",
    "7, 40, 60, BOTTOM_RIGHT"
  })
  void aPhoneJpegIsStoredUprightAsAPngWithoutExifOrGps(
      int orientation, int width, int height, Corner marker) {
    TestTenant tenant = newTenant();
    byte[] photo = PhotoFixtures.cameraJpeg(60, 40, orientation);
    assertThat(PhotoFixtures.contains(photo, "GPS") || PhotoFixtures.contains(photo, "Exif"))
        .as("the upload carries EXIF")
        .isTrue();

    Response created = upload(tenant, "<photo>", "IMG_0001.JPG", photo);

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    JsonNode image = created.json().get("concept").get("images").get(0);
    assertThat(image.get("contentType").asString()).isEqualTo("image/png");
    assertThat(image.get("filename").asString()).isEqualTo("IMG_0001.JPG");
    assertThat(List.of(image.get("width").asInt(), image.get("height").asInt()))
        .containsExactly(width, height);
    Response stored = api.get(image.get("url").asString(), tenant.key());
    assertThat(stored.contentType()).isEqualTo("image/png");
    assertThat(image.get("sizeBytes").asLong()).isEqualTo(stored.bytes().length);
    BufferedImage pixels = PhotoFixtures.decode(stored.bytes());
    assertThat(List.of(pixels.getWidth(), pixels.getHeight())).containsExactly(width, height);
    assertThat(PhotoFixtures.markerCorner(pixels)).isEqualTo(marker);
    assertThat(PhotoFixtures.chunkTypes(stored.bytes())).containsExactly("IHDR", "IDAT", "IEND");
    for (String trace : List.of("Exif", "GPS", PhotoFixtures.MAKE, PhotoFixtures.MODEL)) {
      assertThat(PhotoFixtures.contains(stored.bytes(), trace)).as(trace).isFalse();
    }
    byte[] trained = trainingImages(tenant, created).getFirst();
    assertThat(trained).as("training reads the stored PNG").isEqualTo(stored.bytes());
  }

  @Test
  void lossyAndLosslessWebpAreAcceptedAndAWebpExifOrientationApplies() {
    TestTenant tenant = newTenant();

    Response created =
        api.postMultipart(
            "/v1/concepts",
            tenant.key(),
            new Multipart()
                .file("images", "lossy.webp", "image/webp", PhotoFixtures.WEBP_LOSSY)
                .file("images", "lossless.webp", "image/webp", PhotoFixtures.WEBP_LOSSLESS)
                .file("images", "rotated.webp", "image/webp", PhotoFixtures.WEBP_LOSSY_EXIF_6)
                .field("name", "WebP")
                .field("token", "<webp>")
                .field("initializer", "rabbit"));

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    JsonNode images = created.json().get("concept").get("images");
    int[][] sizes = {{48, 32}, {48, 32}, {32, 48}};
    Corner[] markers = {Corner.TOP_LEFT, Corner.TOP_LEFT, Corner.TOP_RIGHT};
    for (int i = 0; i < 3; i++) {
      JsonNode image = images.get(i);
      assertThat(image.get("contentType").asString()).isEqualTo("image/png");
      assertThat(List.of(image.get("width").asInt(), image.get("height").asInt()))
          .containsExactly(sizes[i][0], sizes[i][1]);
      Response stored = api.get(image.get("url").asString(), tenant.key());
      assertThat(PhotoFixtures.markerCorner(PhotoFixtures.decode(stored.bytes())))
          .as(image.get("filename").asString())
          .isEqualTo(markers[i]);
    }
  }

  @Test
  void anImageOverTheStoredSideIsDownscaledToItsLongSide() {
    TestTenant tenant = newTenant();
    byte[] large = PhotoFixtures.jpeg(PhotoFixtures.marked(900, 600));

    Response created = upload(tenant, "<large>", "large.jpg", large);

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    JsonNode image = created.json().get("concept").get("images").get(0);
    assertThat(List.of(image.get("width").asInt(), image.get("height").asInt()))
        .containsExactly(256, 171);
    BufferedImage stored =
        PhotoFixtures.decode(api.get(image.get("url").asString(), tenant.key()).bytes());
    assertThat(List.of(stored.getWidth(), stored.getHeight())).containsExactly(256, 171);
    assertThat(PhotoFixtures.markerCorner(stored)).isEqualTo(Corner.TOP_LEFT);
  }

  @Test
  void aPngWhoseIdatFailsItsCrcIsRefusedWithASentenceAndNothingIsStored() {
    TestTenant tenant = newTenant();
    byte[] damaged = PhotoFixtures.withDamagedIdat(TestImages.png(64, 64));

    Response response = upload(tenant, "<crc>", "damaged.png", damaged);

    assertRefused(
        tenant,
        response,
        "images[0] (damaged.png)",
        "is a damaged PNG: the checksum (CRC) of its IDAT chunk at byte 33 does not match the"
            + " chunk's contents");
  }

  @Test
  void aPngWithFiveMegabytesOfTextAround64x64PixelsIsRefusedWithASentenceAndNothingIsStored() {
    TestTenant tenant = newTenant();
    byte[] png =
        PhotoFixtures.withChunkAfterIhdr(
            TestImages.png(64, 64), "tEXt", PhotoFixtures.text("Comment", 5 * 1024 * 1024));

    Response response = upload(tenant, "<chatty>", "chatty.png", png);

    long allowed = png.length / 4;
    assertRefused(
        tenant,
        response,
        "images[0] (chatty.png)",
        "carries 5242900 bytes of metadata (text chunks, EXIF, XMP, ICC profiles, comments or data"
            + " after the image) beside its pixels; at most "
            + allowed
            + " bytes are accepted: the larger of 262144 bytes and 25 % of the file");
  }

  @Test
  void aGifIsRefusedNamingTheAcceptedFormats() {
    TestTenant tenant = newTenant();
    byte[] gif =
        "GIF89a\u0001\u0000\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    Response response = upload(tenant, "<gif>", "anim.gif", gif);

    assertRefused(
        tenant,
        response,
        "images[0] (anim.gif)",
        "is not a PNG, JPEG or WebP image (the format is read from the bytes)");
  }

  /** A concept of {@code bytes} first and a small PNG second. */
  private Response upload(TestTenant tenant, String token, String filename, byte[] bytes) {
    return api.postMultipart(
        "/v1/concepts",
        tenant.key(),
        new Multipart()
            .file("images", filename, "application/octet-stream", bytes)
            .image("second.png", TestImages.png(32, 32))
            .field("name", "Photo")
            .field("token", token)
            .field("initializer", "rabbit"));
  }

  private void assertRefused(TestTenant tenant, Response response, String field, String message) {
    assertThat(response.status()).as(response.body()).isEqualTo(400);
    assertThat(response.contentType()).isEqualTo("application/problem+json");
    assertThat(response.json().get("detail").asString()).isEqualTo(field + ": " + message);
    assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo(field);
    assertThat(response.json().get("errors").get(0).get("message").asString()).isEqualTo(message);
    assertThat(rows(tenant)).isEqualTo(new Rows(0, 0, 0, 0, 0));
  }

  private List<byte[]> trainingImages(TestTenant tenant, Response created) {
    UUID conceptId = UUID.fromString(created.json().get("concept").get("id").asString());
    return concepts.trainingMaterial(tenant.id(), conceptId).orElseThrow().images();
  }
}
