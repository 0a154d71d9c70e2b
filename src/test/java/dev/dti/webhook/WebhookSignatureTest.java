package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import com.standardwebhooks.Webhook;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  /** The example of the Standard Webhooks specification. */
  private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long SPEC_TIMESTAMP = 1614265330;
  private static final String SPEC_BODY = "{\"test\": 2432232314}";

  @Test
  void signsTheSpecificationsTestVector() {
    assertThat(WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY))
        .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  }

  @Test
  void aNewSecretIsWhsecAndBase64OfThirtyTwoRandomBytes() {
    String secret = WebhookSignature.newSecret();

    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    assertThat(WebhookSignature.newSecret()).isNotEqualTo(secret);
  }

  @Test
  void theReferenceLibraryAcceptsOurSignatureOfAFreshMessage() {
    String secret = WebhookSignature.newSecret();
    long now = Instant.now().getEpochSecond();
    String body = "{\"type\":\"job.succeeded\",\"data\":{\"id\":\"x\"}}";

    String header = WebhookSignature.header(List.of(secret), "msg_1", now, body);

    assertThatNoException()
        .isThrownBy(() -> new Webhook(secret).verify(body, headers("msg_1", now, header)));
  }

  @Test
  void afterARotationTheHeaderCarriesBothSignaturesAndEitherSecretVerifies() throws Exception {
    String newSecret = WebhookSignature.newSecret();
    String oldSecret = WebhookSignature.newSecret();
    long now = Instant.now().getEpochSecond();

    String header = WebhookSignature.header(List.of(newSecret, oldSecret), "msg_2", now, "{}");

    assertThat(header.split(" "))
        .containsExactly(
            WebhookSignature.sign(newSecret, "msg_2", now, "{}"),
            WebhookSignature.sign(oldSecret, "msg_2", now, "{}"));
    new Webhook(newSecret).verify("{}", headers("msg_2", now, header));
    new Webhook(oldSecret).verify("{}", headers("msg_2", now, header));
  }

  static Map<String, List<String>> headers(String id, long timestamp, String signature) {
    return Map.of(
        "webhook-id", List.of(id),
        "webhook-timestamp", List.of(Long.toString(timestamp)),
        "webhook-signature", List.of(signature));
  }
}
