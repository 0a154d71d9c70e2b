package dev.dti.concept;

import dev.dti.concept.ConceptViews.ConceptView;
import dev.dti.embedding.file.EmbeddingFormat;
import dev.dti.security.Tenant;
import dev.dti.web.ApiProblem;
import dev.dti.web.Idempotency;
import dev.dti.web.Idempotency.Created;
import dev.dti.web.RequestFingerprint;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/v1/concepts")
@Tag(name = "concepts")
class EmbeddingController {

  private static final String ZIP = "application/zip";

  private final EmbeddingService embeddings;
  private final Idempotency idempotency;

  EmbeddingController(EmbeddingService embeddings, Idempotency idempotency) {
    this.embeddings = embeddings;
    this.idempotency = idempotency;
  }

  @GetMapping("/{id}/embedding")
  @Operation(
      summary = "Download the learned embedding as safetensors",
      description =
          "SD 1.x/2.x: diffusers {\"<token>\": [n, d]} for load_textual_inversion; a1111 and"
              + " kohya {\"emb_params\": [n, d]}. SDXL: a1111 and kohya {\"clip_g\": [n, 1280],"
              + " \"clip_l\": [n, 768]} (what AUTOMATIC1111, ComfyUI and kohya load); diffusers a"
              + " zip of learned_embeds.safetensors (text_encoder) and learned_embeds_2.safetensors"
              + " (text_encoder_2), each {\"<token>\": [n, d]}, with a README.txt; with"
              + " encoder=text_encoder or encoder=text_encoder_2 only that encoder's diffusers file."
              + " Without step, the final embedding (or the latest checkpoint while training"
              + " runs).")
  @ApiResponse(
      responseCode = "200",
      content = {
        @Content(
            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            schema = @Schema(type = "string", format = "binary")),
        @Content(mediaType = ZIP, schema = @Schema(type = "string", format = "binary"))
      })
  @ApiResponse(responseCode = "409", description = "No embedding has been learned yet")
  ResponseEntity<byte[]> download(
      Tenant tenant,
      @PathVariable UUID id,
      @Parameter(schema = @Schema(allowableValues = {"diffusers", "a1111", "kohya"}))
          @RequestParam(defaultValue = "diffusers")
          String format,
      @Parameter(description = "A checkpoint step; default the final embedding")
          @RequestParam(required = false)
          Integer step,
      @Parameter(
              description =
                  "With format=diffusers, only this text encoder's file: text_encoder"
                      + " (learned_embeds.safetensors) or text_encoder_2"
                      + " (learned_embeds_2.safetensors, SDXL)",
              schema = @Schema(allowableValues = {"text_encoder", "text_encoder_2"}))
          @RequestParam(required = false)
          String encoder) {
    EmbeddingFormat parsed;
    try {
      parsed = EmbeddingFormat.fromWireName(format);
    } catch (RuntimeException e) {
      throw ApiProblem.badRequest(
          "Unknown format '" + format + "': use diffusers, a1111 or kohya.");
    }
    EmbeddingService.Download file = embeddings.export(tenant, id, parsed, step, encoder);
    return ResponseEntity.ok()
        .contentType(
            file.isZip() ? MediaType.parseMediaType(ZIP) : MediaType.APPLICATION_OCTET_STREAM)
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment().filename(file.filename()).build().toString())
        .body(file.bytes());
  }

  @PostMapping(value = "/import", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(
      summary = "Import an existing textual-inversion embedding as a concept",
      description =
          "Accepts diffusers/A1111/kohya .safetensors and PyTorch .pt/.bin files (read without"
              + " executing any pickle code). SDXL: the {\"clip_l\", \"clip_g\"} file of"
              + " A1111/ComfyUI/kohya, or the diffusers pair, either as a zip holding"
              + " learned_embeds.safetensors and learned_embeds_2.safetensors or as two parts:"
              + " file (text_encoder's) and file_2 (text_encoder_2's). The rows must have the"
              + " model's encoder widths. repair=true rescales every row to its text encoder's"
              + " mean token norm m, DTI's constraint, to stop an over-long TI embedding from"
              + " drowning the prompt.")
  @ApiResponse(responseCode = "201", description = "The concept, ready for generation")
  ResponseEntity<String> importEmbedding(
      Tenant tenant,
      @RequestPart("file") MultipartFile file,
      @Parameter(
              description =
                  "SDXL diffusers pair only: text_encoder_2's file (learned_embeds_2.safetensors);"
                      + " file is then text_encoder's (learned_embeds.safetensors)")
          @RequestPart(name = "file_2", required = false)
          MultipartFile file2,
      @RequestParam String token,
      @RequestParam(required = false) String name,
      @Parameter(description = "The model the embedding was made for (id or name); checked")
          @RequestParam(required = false)
          String baseModel,
      @RequestParam(defaultValue = "false") boolean repair,
      @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
      HttpServletRequest request) {
    byte[] bytes = bytes(file, "file");
    byte[] bytes2 = file2 == null ? null : bytes(file2, "file_2");
    return idempotency.execute(
        tenant.id(),
        idempotencyKey,
        RequestFingerprint.of(request),
        () -> {
          ConceptView concept =
              bytes2 == null
                  ? embeddings.importEmbedding(
                      tenant, bytes, file.getOriginalFilename(), name, token, baseModel, repair)
                  : embeddings.importPair(
                      tenant,
                      bytes,
                      file.getOriginalFilename(),
                      bytes2,
                      file2.getOriginalFilename(),
                      name,
                      token,
                      baseModel,
                      repair);
          return new Created(HttpStatus.CREATED, "/v1/concepts/" + concept.id(), concept);
        });
  }

  private static byte[] bytes(MultipartFile part, String name) {
    byte[] bytes;
    try {
      bytes = part.getBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (bytes.length == 0) {
      throw ApiProblem.badRequest("The " + name + " part is empty.");
    }
    return bytes;
  }
}
