package dev.dti.web;

import dev.dti.web.IdempotencyRepository.StoredResponse;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a creating request at most once per {@code Idempotency-Key}.
 *
 * <p>The creation and the stored response commit in one transaction. A repeated key with the same
 * request fingerprint replays the stored status, body and {@code Location}; with a different
 * fingerprint it is a 409. A request that fails stores nothing, so it may be retried with the same
 * key. Without a key the creation simply runs in a transaction.
 */
@Service
public class Idempotency {

  public static final String HEADER = "Idempotency-Key";

  /** Replayed responses carry {@code Idempotent-Replayed: true}. */
  public static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private static final Pattern KEY = Pattern.compile("^[\\x21-\\x7E]{1,255}$");

  /** What a creating endpoint answers. */
  public record Created(HttpStatus status, String location, Object body) {}

  private final IdempotencyRepository keys;
  private final TransactionTemplate transaction;
  private final JsonMapper json;

  public Idempotency(IdempotencyRepository keys, TransactionTemplate transaction, JsonMapper json) {
    this.keys = keys;
    this.transaction = transaction;
    this.json = json;
  }

  /**
   * @param key the {@code Idempotency-Key} header, or null
   * @param fingerprint the {@link RequestFingerprint} of the request
   * @param creation creates the resource inside the transaction this method opens
   */
  public ResponseEntity<String> execute(
      UUID tenantId, String key, String fingerprint, Supplier<Created> creation) {
    if (key != null && !KEY.matcher(key).matches()) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem(
                  HEADER, "must be 1–255 visible ASCII characters (no spaces), e.g. a UUID")));
    }
    return transaction.execute(
        status -> {
          if (key != null) {
            keys.lock(tenantId, key);
            Optional<StoredResponse> stored = keys.find(tenantId, key);
            if (stored.isPresent()) {
              return replay(key, fingerprint, stored.get());
            }
          }
          Created created = creation.get();
          var response =
              new StoredResponse(
                  fingerprint,
                  created.status().value(),
                  json.writeValueAsString(created.body()),
                  created.location());
          if (key != null) {
            keys.insert(tenantId, key, response);
          }
          return toEntity(response, false);
        });
  }

  private static ResponseEntity<String> replay(
      String key, String fingerprint, StoredResponse stored) {
    if (!stored.requestHash().equals(fingerprint)) {
      throw ApiProblem.conflict(
          "The Idempotency-Key '"
              + key
              + "' was already used for a different request; use a new key for a new request.");
    }
    return toEntity(stored, true);
  }

  private static ResponseEntity<String> toEntity(StoredResponse response, boolean replayed) {
    var builder =
        ResponseEntity.status(response.status())
            .contentType(MediaType.APPLICATION_JSON)
            .header(REPLAYED_HEADER, String.valueOf(replayed));
    if (response.location() != null) {
      builder.location(URI.create(response.location()));
    }
    return builder.body(response.body());
  }
}
