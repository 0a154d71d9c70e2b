package dev.dti.generation;

import dev.dti.concept.ConceptService;
import dev.dti.concept.ConceptService.TokenConcept;
import dev.dti.embedding.Embedding;
import dev.dti.embedding.EmbeddingRepository;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import dev.dti.web.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Finds the concept tokens of a prompt ({@code <my-rabbit>}: the token syntax concepts are created
 * with) and resolves each to the tenant's concept and its usable embedding (the final one, else the
 * latest snapshot): an unknown token or another tenant's is a 404 naming it, a concept without a
 * learned embedding yet a 409.
 */
@Component
public class PromptConcepts {

  private static final Pattern TOKEN = Pattern.compile("<[a-z0-9][a-z0-9_-]{0,38}>");

  /** A resolved concept: what the plan pins and the embedding to inject. */
  public record Resolved(PinnedConcept pinned, Embedding embedding) {}

  private final ConceptService concepts;
  private final EmbeddingRepository embeddings;

  PromptConcepts(ConceptService concepts, EmbeddingRepository embeddings) {
    this.concepts = concepts;
    this.embeddings = embeddings;
  }

  static boolean isToken(String text) {
    return TOKEN.matcher(text).matches();
  }

  /** The distinct concept tokens of the texts, in order of first appearance. */
  static List<String> tokensOf(String... texts) {
    Set<String> tokens = new LinkedHashSet<>();
    for (String text : texts) {
      if (text == null) {
        continue;
      }
      Matcher matcher = TOKEN.matcher(text);
      while (matcher.find()) {
        tokens.add(matcher.group());
      }
    }
    return List.copyOf(tokens);
  }

  /** Resolves every token, all 404s before any 409, for the model with this id and width. */
  List<Resolved> resolve(UUID tenantId, List<String> tokens, String modelId, int dim) {
    List<TokenConcept> found = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String token : tokens) {
      concepts.findByToken(tenantId, token).ifPresentOrElse(found::add, () -> unknown.add(token));
    }
    if (!unknown.isEmpty()) {
      throw ApiProblem.notFound(
          (unknown.size() == 1
                  ? "There is no concept with the token "
                  : "There are no concepts with the tokens ")
              + String.join(", ", unknown)
              + ".");
    }
    List<Resolved> resolved = new ArrayList<>();
    for (TokenConcept concept : found) {
      Embedding embedding =
          embeddings
              .find(tenantId, concept.id(), null)
              .orElseThrow(
                  () ->
                      ApiProblem.conflict(
                          "The concept "
                              + concept.token()
                              + " has no learned embedding yet; wait until its training job has"
                              + " saved one."));
      int width = embedding.rows(Embedding.TEXT_ENCODER)[0].length;
      if (!embedding.baseModelId().equals(modelId) || width != dim) {
        throw ApiProblem.conflict(
            "The concept "
                + concept.token()
                + " was trained on another base model ("
                + abbreviate(embedding.baseModelId())
                + ", width "
                + width
                + ") than the one this service runs ("
                + abbreviate(modelId)
                + ", width "
                + dim
                + ").");
      }
      resolved.add(
          new Resolved(
              new PinnedConcept(
                  concept.id(),
                  concept.token(),
                  embedding.method(),
                  embedding.step(),
                  embedding.vectors()),
              embedding));
    }
    return resolved;
  }

  /** The embedding a plan pinned, if it still exists. */
  Optional<Embedding> pinned(UUID tenantId, PinnedConcept concept) {
    return embeddings.find(tenantId, concept.conceptId(), concept.step());
  }

  private static String abbreviate(String modelId) {
    return modelId.length() > 12 ? modelId.substring(0, 12) : modelId;
  }
}
