package dev.dti.blob;

import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * Opaque bytes owned by a tenant (uploaded images, later previews and embeddings). Implementations
 * take part in the caller's transaction when they can, so that a failed request leaves no blob.
 */
public interface BlobStore {

  /** Metadata of a stored blob. */
  record BlobInfo(UUID id, String contentType, long sizeBytes, String sha256) {}

  /** A blob with its bytes. */
  record Blob(BlobInfo info, byte[] bytes) {}

  BlobInfo put(UUID tenantId, String contentType, byte[] bytes);

  Optional<Blob> get(UUID tenantId, UUID blobId);

  void delete(UUID tenantId, Collection<UUID> blobIds);
}
