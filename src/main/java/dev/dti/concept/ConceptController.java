package dev.dti.concept;

import dev.dti.basemodel.ModelRegistry;
import dev.dti.blob.BlobStore.Blob;
import dev.dti.concept.ConceptViews.ConceptSummary;
import dev.dti.concept.ConceptViews.ConceptView;
import dev.dti.concept.ConceptViews.CreatedConcept;
import dev.dti.security.Tenant;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import dev.dti.web.PageRequest;
import dev.dti.web.PageResponse;
import dev.dti.web.RequestFingerprint;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.propertyeditors.CustomCollectionEditor;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/v1/concepts")
@Tag(name = "concepts", description = "Personalized concepts: training images and their token")
class ConceptController {

  private final ConceptService concepts;
  private final Idempotency idempotency;
  private final ModelRegistry models;

  ConceptController(ConceptService concepts, Idempotency idempotency, ModelRegistry models) {
    this.concepts = concepts;
    this.idempotency = idempotency;
    this.models = models;
  }

  /**
   * A single {@code captions} value must stay one caption: by default Spring would split a lone "a
   * rabbit, on a sofa" at the comma into two.
   */
  @InitBinder
  void keepCommasInCaptions(WebDataBinder binder) {
    binder.registerCustomEditor(List.class, new CustomCollectionEditor(List.class));
  }

  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Upload 2–20 images and start training a concept",
      description =
          "Validates everything first (invalid input stores nothing), then stores the concept, its"
              + " images and a queued training job in one transaction. Send an Idempotency-Key to"
              + " make retries safe. Example: curl -H 'Authorization: Bearer $KEY' -F"
              + " images=@1.png -F images=@2.jpg -F name='Rabbit plush' --form-string token='<my-rabbit>' -F"
              + " initializer=rabbit http://localhost:8080/v1/concepts")
  @ApiResponse(
      responseCode = "202",
      description = "Accepted: the training job is queued",
      headers = @Header(name = "Location", description = "/v1/concepts/{id}"),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON_VALUE,
              schema = @Schema(implementation = CreatedConcept.class)))
  @ApiResponse(
      responseCode = "409",
      description =
          "The token is taken, or the Idempotency-Key" + " was used for a different request")
  @ApiResponse(responseCode = "413", description = "An image or the whole upload is too large")
  @ApiResponse(
      responseCode = "503",
      description = "The base model cannot be used; the detail says why and nothing is stored")
  ResponseEntity<String> create(
      Tenant tenant,
      @ModelAttribute CreateConceptForm form,
      @Parameter(description = "Makes retries safe: the first response is replayed")
          @RequestHeader(name = Idempotency.HEADER, required = false)
          String idempotencyKey,
      HttpServletRequest request) {
    NewConcept concept = concepts.validate(form);
    models.requireUsable();
    return idempotency.execute(
        tenant.id(),
        idempotencyKey,
        RequestFingerprint.of(request),
        () -> {
          CreatedConcept created = concepts.create(tenant, concept);
          return new Created(
              HttpStatus.ACCEPTED, "/v1/concepts/" + created.concept().id(), created);
        });
  }

  @GetMapping
  @Operation(summary = "List concepts, newest first")
  PageResponse<ConceptSummary> list(
      Tenant tenant,
      @Parameter(description = "0-based page number") @RequestParam(defaultValue = "0") int page,
      @Parameter(description = "Items per page, 1–" + PageRequest.MAX_SIZE)
          @RequestParam(defaultValue = "" + PageRequest.DEFAULT_SIZE)
          int size) {
    return concepts.page(tenant, PageRequest.of(page, size));
  }

  @GetMapping("/{id}")
  @Operation(summary = "A concept with its image metadata and latest job")
  ConceptView get(Tenant tenant, @PathVariable UUID id) {
    return concepts.get(tenant, id);
  }

  @GetMapping("/{id}/images/{position}")
  @Operation(summary = "The bytes of a training image (positions count from 0)")
  @ApiResponse(
      responseCode = "200",
      content = {
        @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary"))
      })
  ResponseEntity<byte[]> image(Tenant tenant, @PathVariable UUID id, @PathVariable int position) {
    Blob blob = concepts.image(tenant, id, position);
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(blob.info().contentType()))
        .contentLength(blob.info().sizeBytes())
        .eTag("\"" + blob.info().sha256() + "\"")
        .cacheControl(CacheControl.noCache().cachePrivate())
        .body(blob.bytes());
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Cancel the concept's unfinished job and delete it with its images")
  void delete(Tenant tenant, @PathVariable UUID id) {
    concepts.delete(tenant, id);
  }
}
