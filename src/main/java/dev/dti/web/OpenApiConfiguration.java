package dev.dti.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at {@code /v3/api-docs} (UI at {@code /swagger-ui.html}): bearer
 * authentication on every operation and the problem+json error responses every operation may give.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  private static final String BEARER = "bearer";
  private static final String PROBLEM = "Problem";

  @Bean
  OpenAPI dtiOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("dti-service")
                .version("v1")
                .description(
                    "Directional Textual Inversion personalization for Stable Diffusion. Every"
                        + " /v1 endpoint needs 'Authorization: Bearer <api key>'; /v1/admin"
                        + " needs the admin key. Errors are RFC 9457 application/problem+json."))
        .components(
            new Components()
                .addSecuritySchemes(
                    BEARER,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("An API key such as dti_…, or the admin key for /v1/admin")))
        .addSecurityItem(new SecurityRequirement().addList(BEARER));
  }

  /** Adds the problem schema and the problem responses that every operation can answer. */
  @Bean
  OpenApiCustomizer problemResponses() {
    return openApi -> {
      openApi.getComponents().addSchemas(PROBLEM, problemSchema());
      openApi
          .getPaths()
          .values()
          .forEach(
              path ->
                  path.readOperations()
                      .forEach(
                          operation -> {
                            var responses = operation.getResponses();
                            responses.putIfAbsent(
                                "400", problem("Invalid input; the errors list each field"));
                            responses.putIfAbsent(
                                "401", problem("Missing, unknown or revoked API key"));
                            responses.putIfAbsent("404", problem("No such resource"));
                            responses.forEach(
                                (code, response) -> {
                                  if (code.startsWith("4") && response.getContent() == null) {
                                    response.setContent(problemContent());
                                  }
                                });
                          }));
    };
  }

  private static ApiResponse problem(String description) {
    return new ApiResponse().description(description).content(problemContent());
  }

  private static Content problemContent() {
    return new Content()
        .addMediaType(
            "application/problem+json",
            new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    Schema fieldError =
        new ObjectSchema()
            .addProperty("field", new StringSchema().example("steps"))
            .addProperty("message", new StringSchema().example("must be between 1 and 5000"));
    return new ObjectSchema()
        .description("RFC 9457 problem details")
        .addProperty("type", new StringSchema().example("about:blank"))
        .addProperty("title", new StringSchema().example("Bad Request"))
        .addProperty("status", new IntegerSchema().example(400))
        .addProperty("detail", new StringSchema().example("steps: must be between 1 and 5000"))
        .addProperty("instance", new StringSchema().example("/v1/concepts"))
        .addProperty("errors", new ArraySchema().items(fieldError));
  }
}
