package dev.dti.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.support.ApiTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenApiTest extends ApiTest {

  @Test
  void theDocumentDescribesBearerAuthTheMultipartCreateAndProblems() {
    JsonNode doc = api.get("/v3/api-docs", null).json();

    assertThat(doc.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
    assertThat(doc.at("/security/0/bearer").isArray()).isTrue();
    JsonNode create = doc.at("/paths/~1v1~1concepts/post");
    assertThat(create.at("/summary").asString()).isNotBlank();
    assertThat(create.at("/parameters").findValuesAsString("name"))
        .contains("Idempotency-Key")
        .doesNotContain("tenant");
    assertThat(create.at("/requestBody/content/multipart~1form-data/schema/$ref").asString())
        .isEqualTo("#/components/schemas/CreateConceptForm");
    JsonNode form = doc.at("/components/schemas/CreateConceptForm/properties");
    assertThat(form.at("/images/items/format").asString()).isEqualTo("binary");
    assertThat(form.at("/images/maxItems").asInt()).isEqualTo(20);
    assertThat(form.at("/token/example").asString()).isEqualTo("<my-rabbit>");
    assertThat(form.at("/steps/maximum").asInt()).isEqualTo(5000);
    assertThat(form.at("/steps/default").asInt()).isEqualTo(400);
    assertThat(create.at("/responses/202/content/application~1json/schema/$ref").asString())
        .endsWith("CreatedConcept");
    assertThat(create.at("/responses/400/content").toString())
        .contains("application/problem+json", "#/components/schemas/Problem");
    assertThat(doc.at("/components/schemas/Problem/properties/errors").isMissingNode()).isFalse();
    assertThat(doc.at("/paths/~1v1~1jobs~1{id}~1cancel/post/summary").asString()).isNotBlank();
  }

  @Test
  void theSchedulerFieldListsDdimAndEulerWithDdimAsDefault() {
    JsonNode schemas = api.get("/v3/api-docs", null).json().at("/components/schemas");

    for (String request : new String[] {"GenerationRequest", "InterpolationRequest"}) {
      JsonNode scheduler = schemas.at("/" + request + "/properties/scheduler");
      assertThat(scheduler.at("/enum").toString()).as(request).isEqualTo("[\"ddim\",\"euler\"]");
      assertThat(scheduler.at("/default").asString()).as(request).isEqualTo("ddim");
    }
  }

  @Test
  void swaggerUiRedirectsToItsPage() {
    assertThat(api.get("/swagger-ui.html", null).status()).isIn(200, 302);
  }
}
