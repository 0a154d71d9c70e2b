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
 * <p>A repeated key with the same request fingerprint replays the stored status, body and {@code
 * Location}; with a different fingerprint it is a 409. A request that fails stores nothing, so it
 * may be retried with the same key. Keys are scoped to a tenant (or to the admin API) and expire
 * after {@code dti.idempotency.ttl}. Without a key the creation simply runs.
 *
 * <p>{@link #execute} commits the creation and the stored response in one transaction. {@link
 * #executeReserved} is for creations that must not hold a transaction while they work (a
 * synchronous render takes seconds): it reserves the key in a short transaction, runs the creation
 * outside, then stores the response; a second request with the key meanwhile gets a 409 saying the
 * first is still running.
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
  private final IdempotencyProperties properties;

  public Idempotency(
      IdempotencyRepository keys,
      TransactionTemplate transaction,
      JsonMapper json,
      IdempotencyProperties properties) {
    this.keys = keys;
    this.transaction = transaction;
    this.json = json;
    this.properties = properties;
  }

  /**
   * @param tenantId the tenant whose key this is
   * @param key the {@code Idempotency-Key} header, or null
   * @param fingerprint the {@link RequestFingerprint} of the request
   * @param creation creates the resource inside the transaction this method opens
   */
  public ResponseEntity<String> execute(
      UUID tenantId, String key, String fingerprint, Supplier<Created> creation) {
    return execute(tenantScope(tenantId), tenantId, key, fingerprint, creation);
  }

  /** {@link #execute} for the admin API, whose keys form a scope of their own. */
  public ResponseEntity<String> executeAsAdmin(
      String key, String fingerprint, Supplier<Created> creation) {
    return execute(ADMIN_SCOPE, null, key, fingerprint, creation);
  }

  /**
   * Like {@link #execute}, but {@code creation} runs outside any transaction this method holds (it
   * opens its own where it writes).
   */
  public ResponseEntity<String> executeReserved(
      UUID tenantId, String key, String fingerprint, Supplier<Created> creation) {
    checkKey(key);
    if (key == null) {
      return toEntity(stored(fingerprint, creation.get()), false);
    }
    String scope = tenantScope(tenantId);
    ResponseEntity<String> earlier =
        transaction.execute(
            status -> {
              keys.lock(scope, key);
              Optional<StoredResponse> stored = keys.find(scope, key);
              if (stored.isPresent()) {
                return replay(key, fingerprint, stored.get());
              }
              keys.save(
                  scope,
                  tenantId,
                  key,
                  new StoredResponse(fingerprint, 0, null, null),
                  properties.reservationTtl());
              return null;
            });
    if (earlier != null) {
      return earlier;
    }
    StoredResponse response;
    try {
      response = stored(fingerprint, creation.get());
    } catch (RuntimeException | Error e) {
      keys.deleteReservation(scope, key);
      throw e;
    }
    keys.save(scope, tenantId, key, response, properties.ttl());
    return toEntity(response, false);
  }

  private static final String ADMIN_SCOPE = "admin";

  private static String tenantScope(UUID tenantId) {
    return "tenant:" + tenantId;
  }

  private ResponseEntity<String> execute(
      String scope, UUID tenantId, String key, String fingerprint, Supplier<Created> creation) {
    checkKey(key);
    return transaction.execute(
        status -> {
          if (key != null) {
            keys.lock(scope, key);
            Optional<StoredResponse> stored = keys.find(scope, key);
            if (stored.isPresent()) {
              return replay(key, fingerprint, stored.get());
            }
          }
          StoredResponse response = stored(fingerprint, creation.get());
          if (key != null) {
            keys.save(scope, tenantId, key, response, properties.ttl());
          }
          return toEntity(response, false);
        });
  }

  private StoredResponse stored(String fingerprint, Created created) {
    return new StoredResponse(
        fingerprint,
        created.status().value(),
        json.writeValueAsString(created.body()),
        created.location());
  }

  private static void checkKey(String key) {
    if (key != null && !KEY.matcher(key).matches()) {
      throw ApiProblem.invalidFields(
          List.of(
              new FieldProblem(
                  HEADER, "must be 1–255 visible ASCII characters (no spaces), e.g. a UUID")));
    }
  }

  private static ResponseEntity<String> replay(
      String key, String fingerprint, StoredResponse stored) {
    if (!stored.requestHash().equals(fingerprint)) {
      throw ApiProblem.conflict(
          "The Idempotency-Key '"
              + key
              + "' was already used for a different request; use a new key for a new request.");
    }
    if (stored.pending()) {
      throw ApiProblem.conflict(
          "A request with the Idempotency-Key '"
              + key
              + "' is still being processed; retry it in a moment to get its answer.");
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
