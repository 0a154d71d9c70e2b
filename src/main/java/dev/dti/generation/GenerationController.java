package dev.dti.generation;

import dev.dti.blob.BlobStore.Blob;
import dev.dti.generation.GenerationPlanner.Planned;
import dev.dti.generation.GenerationReads.EmbeddingDownload;
import dev.dti.generation.GenerationViews.GenerationView;
import dev.dti.security.Tenant;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import dev.dti.web.RequestFingerprint;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

@RestController
@Tag(name = "generation", description = "Text-to-image with learned concepts, and interpolations")
class GenerationController {

  private final GenerationPlanner planner;
  private final GenerationRendering rendering;
  private final GenerationReads generations;
  private final Idempotency idempotency;
  private final JsonMapper json;

  GenerationController(
      GenerationPlanner planner,
      GenerationRendering rendering,
      GenerationReads generations,
      Idempotency idempotency,
      JsonMapper json) {
    this.planner = planner;
    this.rendering = rendering;
    this.generations = generations;
    this.idempotency = idempotency;
    this.json = json;
  }

  @PostMapping(path = "/v1/generations", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Generate images from a prompt with the tenant's concept tokens",
      description =
          "Small requests (steps × numImages × pixels / model pixels ≤ dti.generation.sync-budget)"
              + " answer 200 with the images; larger ones 202 with a generation job. Image i uses"
              + " seed + i. Send an Idempotency-Key to make retries safe.")
  @ApiResponse(
      responseCode = "200",
      description = "Rendered synchronously",
      content = @Content(schema = @Schema(implementation = GenerationView.class)))
  @ApiResponse(
      responseCode = "202",
      description = "Queued as a generation job; poll the Location",
      headers = @Header(name = "Location", description = "/v1/generations/{id}"),
      content = @Content(schema = @Schema(implementation = GenerationView.class)))
  @ApiResponse(responseCode = "409", description = "A concept has no learned embedding yet")
  @ApiResponse(
      responseCode = "429",
      description = "Too many synchronous generations of this tenant",
      headers = @Header(name = "Retry-After", description = "seconds"))
  ResponseEntity<String> generate(
      Tenant tenant,
      @RequestBody GenerationRequest body,
      @Parameter(description = "Makes retries safe: the first response is replayed")
          @RequestHeader(name = Idempotency.HEADER, required = false)
          String idempotencyKey,
      HttpServletRequest request) {
    return create(
        tenant,
        planner.generation(tenant, body),
        "/v1/generations/",
        idempotencyKey,
        RequestFingerprint.of(request, json.writeValueAsString(body)));
  }

  @GetMapping("/v1/generations/{id}")
  @Operation(summary = "A generation with its state and images")
  GenerationView generation(Tenant tenant, @PathVariable UUID id) {
    return generations.get(tenant, id, GenerationPlan.GENERATION);
  }

  @PostMapping(path = "/v1/interpolations", consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      summary = "Images along a spherical interpolation between concepts",
      description =
          "For each t (two concepts) or weight vector, the concepts' rows are interpolated on the"
              + " sphere, put in the template's {} slot and rendered with the same seed.")
  @ApiResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = GenerationView.class)))
  @ApiResponse(
      responseCode = "202",
      headers = @Header(name = "Location", description = "/v1/interpolations/{id}"),
      content = @Content(schema = @Schema(implementation = GenerationView.class)))
  @ApiResponse(responseCode = "409", description = "A concept has no learned embedding yet")
  @ApiResponse(responseCode = "429", description = "Too many synchronous generations")
  ResponseEntity<String> interpolate(
      Tenant tenant,
      @RequestBody InterpolationRequest body,
      @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
      HttpServletRequest request) {
    return create(
        tenant,
        planner.interpolation(tenant, body),
        "/v1/interpolations/",
        idempotencyKey,
        RequestFingerprint.of(request, json.writeValueAsString(body)));
  }

  @GetMapping("/v1/interpolations/{id}")
  @Operation(summary = "An interpolation with its points, images and embedding links")
  GenerationView interpolation(Tenant tenant, @PathVariable UUID id) {
    return generations.get(tenant, id, GenerationPlan.INTERPOLATION);
  }

  @GetMapping("/v1/interpolations/{id}/embeddings/{index}")
  @Operation(
      summary = "The interpolated embedding of one point as a safetensors file",
      description =
          "The formats of GET /v1/concepts/{id}/embedding; for an SDXL model the diffusers"
              + " format is a zip of learned_embeds.safetensors and learned_embeds_2.safetensors.")
  @ApiResponse(
      responseCode = "200",
      content = {
        @Content(
            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            schema = @Schema(type = "string", format = "binary")),
        @Content(
            mediaType = "application/zip",
            schema = @Schema(type = "string", format = "binary"))
      })
  ResponseEntity<byte[]> embedding(
      Tenant tenant,
      @PathVariable UUID id,
      @PathVariable int index,
      @Parameter(schema = @Schema(allowableValues = {"diffusers", "a1111", "kohya"}))
          @RequestParam(defaultValue = "diffusers")
          String format) {
    EmbeddingDownload file = generations.embedding(tenant, id, index, format);
    return ResponseEntity.ok()
        .contentType(
            file.filename().endsWith(".zip")
                ? MediaType.parseMediaType("application/zip")
                : MediaType.APPLICATION_OCTET_STREAM)
        .header(
            "Content-Disposition",
            ContentDisposition.attachment().filename(file.filename()).build().toString())
        .body(file.bytes());
  }

  @GetMapping("/v1/images/{id}")
  @Operation(summary = "A generated PNG, with its metadata in tEXt chunks")
  @ApiResponse(
      responseCode = "200",
      content =
          @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")))
  ResponseEntity<byte[]> image(Tenant tenant, @PathVariable UUID id) {
    Blob blob = generations.image(tenant, id);
    return ResponseEntity.ok()
        .contentType(MediaType.IMAGE_PNG)
        .contentLength(blob.info().sizeBytes())
        .eTag("\"" + blob.info().sha256() + "\"")
        .cacheControl(CacheControl.noCache().cachePrivate())
        .body(blob.bytes());
  }

  /**
   * A small request renders now, outside any transaction: its key is reserved first and its answer
   * stored after (200). A larger one is stored with its job in one transaction with its key (202).
   */
  private ResponseEntity<String> create(
      Tenant tenant, Planned planned, String base, String idempotencyKey, String fingerprint) {
    if (planned.synchronous()) {
      return idempotency.executeReserved(
          tenant.id(),
          idempotencyKey,
          fingerprint,
          () -> {
            UUID id = rendering.renderNow(tenant, planned);
            return new Created(HttpStatus.OK, base + id, generations.view(tenant.id(), id));
          });
    }
    return idempotency.execute(
        tenant.id(),
        idempotencyKey,
        fingerprint,
        () -> {
          UUID id = rendering.enqueue(tenant, planned);
          return new Created(HttpStatus.ACCEPTED, base + id, generations.view(tenant.id(), id));
        });
  }
}
