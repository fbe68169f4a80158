package dev.portico.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's API description (OpenAPI 3.1, 288 operations, MIT) becomes a gateway whose every
 * parameter and body schema the engine compiles: what a real document holds is a valid JSON Schema
 * once bundled.
 */
class LargeDocumentTest {

  @Test
  void everySchemaOfALargeDocumentCompilesWhenTheAdapterIsCreated() {
    OpenApiRoutes routes = OpenApiRoutes.from(OpenApiMappingTest.DOCS.resolve("openai-api.yaml"))
        .upstream("http://openai.internal").build();
    Gateway.Builder builder = Gateway.builder();
    routes.addTo(builder);
    Gateway gateway = builder.build();

    JettyGatewayHandler handler = JettyGatewayHandler.create(gateway);

    assertThat(handler).isNotNull();
    assertThat(routes.routes().stream().filter(r -> r.validation().flatMap(v -> v.jsonSchema()).isPresent()).count())
        .isGreaterThan(50);
  }
}
