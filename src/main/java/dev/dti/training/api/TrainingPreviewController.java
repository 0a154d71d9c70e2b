package dev.dti.training.api;

import dev.dti.blob.BlobStore;
import dev.dti.blob.BlobStore.Blob;
import dev.dti.job.JobService;
import dev.dti.security.Tenant;
import dev.dti.training.TrainingStore;
import dev.dti.web.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Validation previews a training job wrote (when dti.training.preview-every is set). */
@RestController
@RequestMapping("/v1/jobs/{id}/previews")
@Tag(name = "jobs")
class TrainingPreviewController {

  private final JobService jobs;
  private final TrainingStore store;
  private final BlobStore blobs;

  TrainingPreviewController(JobService jobs, TrainingStore store, BlobStore blobs) {
    this.jobs = jobs;
    this.store = store;
    this.blobs = blobs;
  }

  @GetMapping
  @Operation(summary = "The steps at which the job wrote a validation preview")
  List<Integer> steps(Tenant tenant, @PathVariable UUID id) {
    requireJob(tenant, id);
    return store.previewSteps(id);
  }

  @GetMapping("/{step}")
  @Operation(summary = "The validation preview of one step, as PNG")
  @ApiResponse(
      responseCode = "200",
      content =
          @Content(mediaType = "image/png", schema = @Schema(type = "string", format = "binary")))
  ResponseEntity<byte[]> preview(Tenant tenant, @PathVariable UUID id, @PathVariable int step) {
    requireJob(tenant, id);
    UUID blobId =
        store
            .previewBlob(id, step)
            .orElseThrow(
                () -> ApiProblem.notFound("Job " + id + " has no preview at step " + step + "."));
    Blob blob =
        blobs
            .get(tenant.id(), blobId)
            .orElseThrow(
                () -> ApiProblem.notFound("The preview of step " + step + " was deleted."));
    return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(blob.bytes());
  }

  private void requireJob(Tenant tenant, UUID id) {
    jobs.find(tenant.id(), id).orElseThrow(() -> ApiProblem.notFound("No job with id " + id + "."));
  }
}
