package dev.dti.generation;

import dev.dti.concept.ConceptEmbeddings;
import dev.dti.concept.ConceptEmbeddings.ConceptRef;
import dev.dti.concept.ConceptEmbeddings.StoredEmbedding;
import dev.dti.generation.GenerationPlan.PinnedConcept;
import dev.dti.web.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Finds the concept tokens of a prompt ({@code <my-rabbit>}: the token syntax concepts are created
 * with) and resolves each to the tenant's concept and its usable embedding: an unknown token or
 * another tenant's is a 404 naming it, a concept without a learned embedding yet a 409.
 */
@Component
public class PromptConcepts {

  private static final Pattern TOKEN = Pattern.compile("<[a-z0-9][a-z0-9_-]{0,38}>");

  /** A resolved concept: what the plan pins and the rows to inject. */
  public record Resolved(PinnedConcept pinned, StoredEmbedding embedding) {}

  private final ConceptEmbeddings embeddings;

  PromptConcepts(ConceptEmbeddings embeddings) {
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
    Map<String, ConceptRef> found = new LinkedHashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String token : tokens) {
      embeddings
          .findConcept(tenantId, token)
          .ifPresentOrElse(ref -> found.put(token, ref), () -> unknown.add(token));
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
    for (ConceptRef ref : found.values()) {
      StoredEmbedding embedding =
          embeddings
              .usable(tenantId, ref.id())
              .orElseThrow(
                  () ->
                      ApiProblem.conflict(
                          "The concept "
                              + ref.token()
                              + " has no learned embedding yet; wait until its training job has"
                              + " saved one."));
      if (!embedding.baseModelId().equals(modelId) || embedding.dimension() != dim) {
        throw ApiProblem.conflict(
            "The concept "
                + ref.token()
                + " was trained on another base model ("
                + abbreviate(embedding.baseModelId())
                + ", width "
                + embedding.dimension()
                + ") than the one this service runs ("
                + abbreviate(modelId)
                + ", width "
                + dim
                + ").");
      }
      resolved.add(
          new Resolved(
              new PinnedConcept(
                  ref.id(),
                  ref.token(),
                  embedding.id(),
                  embedding.method(),
                  embedding.step(),
                  embedding.vectors()),
              embedding));
    }
    return resolved;
  }

  private static String abbreviate(String modelId) {
    return modelId.length() > 12 ? modelId.substring(0, 12) : modelId;
  }
}
