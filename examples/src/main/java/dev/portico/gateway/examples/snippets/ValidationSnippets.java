package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.validation.JsonSchema;
import dev.portico.gateway.validation.ParameterRule;
import dev.portico.gateway.validation.RequestValidation;
import java.nio.file.Path;

/** The validation page: required parts, media types, size and JSON Schema. */
final class ValidationSnippets {
  private ValidationSnippets() {}

  static Gateway validate() {
    // tag::validate[]
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders")
            .methods("POST")
            .validate(v -> v
                .requireHeaders("X-Tenant")
                .requireQueryParams("version")
                .contentTypes("application/json")            // others: 415
                .maxBodySize(64 * 1024)                       // larger: 413
                .jsonSchema(JsonSchema.resource("schemas/order.json")))
            .upstream("http://orders:8080"))
        .build();
    // end::validate[]
    return gateway;
  }

  static Gateway parameters() {
    // tag::parameters[]
    Gateway gateway = Gateway.builder()
        .route("reports", r -> r
            .path("/api/reports/{year}")
            .validate(v -> v
                .parameter(ParameterRule.of(ParameterRule.Location.PATH, "year",
                    JsonSchema.of("{\"type\": \"integer\", \"minimum\": 2000}")))
                .parameter(ParameterRule.builder(ParameterRule.Location.QUERY, "format")
                    .required()
                    .schema(JsonSchema.of("{\"type\": \"string\", \"enum\": [\"csv\", \"json\"]}"))
                    .build()))
            .upstream("http://reports:8080"))
        .build();
    // end::parameters[]
    return gateway;
  }

  static RequestValidation sources() {
    // tag::sources[]
    JsonSchema inline = JsonSchema.of("""
        {"type": "object", "required": ["amount"],
         "properties": {"amount": {"type": "integer", "minimum": 1}}}
        """);
    JsonSchema fromFile = JsonSchema.at(Path.of("/etc/gateway/schemas/order.json").toUri());
    JsonSchema fromClassPath = JsonSchema.resource("schemas/order.json");

    RequestValidation payments = RequestValidation.builder()
        .requireBody()                                        // an empty POST is refused too
        .jsonSchema(inline)
        .build();
    // end::sources[]
    return payments;
  }
}
