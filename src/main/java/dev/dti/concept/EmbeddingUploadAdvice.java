package dev.dti.concept;

import dev.dti.web.UploadLimitAdvice;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The 413 of an embedding import says why a file is too large: the usual culprit is a diffusers
 * {@code .bin} holding the text encoder's whole token-embedding matrix (49408 × 768 float32, about
 * 150 MB for SD 1.x) instead of the learned rows.
 */
@Component
class EmbeddingUploadAdvice implements UploadLimitAdvice {

  private static final String IMPORT_PATH = "/v1/concepts/import";

  @Override
  public Optional<String> detail(String path, long limit) {
    if (!path.endsWith(IMPORT_PATH)) {
      return Optional.empty();
    }
    String bytes = limit > 0 ? " (" + limit + " bytes)" : "";
    return Optional.of(
        "The embedding file is larger than the upload limit"
            + bytes
            + ". An embedding is a few token rows (n × d values, a few KB); a file this large"
            + " usually holds the text encoder's whole embedding matrix (about 150 MB for SD 1.x)."
            + " Send a learned_embeds file with only the token's rows instead: {token: tensor [n,"
            + " d]} as diffusers' save_textual_inversion or"
            + " torch.save({token: embeds[token_ids]}, 'learned_embeds.bin') writes it, or an"
            + " A1111/kohya .safetensors.");
  }
}
