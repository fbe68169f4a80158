package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiRoutes;
import java.nio.file.Path;

/** The OpenAPI page: routes and request validation from an OpenAPI document. */
final class OpenApiSnippets {
  private OpenApiSnippets() {}

  static JettyGatewayHandler routes(Authenticator jwt) {
    // tag::routes[]
    OpenApiRoutes petstore = OpenApiRoutes.from(Path.of("petstore.yaml"))
        .upstream("http://pets.internal:8080")    // operations without x-portico-upstream
        .authenticator("jwt", jwt)                // x-portico-authenticator: jwt
        .build();                                 // reads the document; OpenApiException if it cannot

    Gateway.Builder builder = Gateway.builder()
        .route("health", r -> r.path("/health").upstream("http://health.internal:8080"));
    petstore.addTo(builder);                      // one route per operation
    JettyGatewayHandler handler = JettyGatewayHandler.create(builder.build());
    // end::routes[]
    return handler;
  }

  static OpenApiRoutes options() {
    // tag::options[]
    OpenApiRoutes routes = OpenApiRoutes.from(Path.of("petstore.yaml"))
        .upstreamGroup("pets")                    // an upstream group the gateway defines
        .pathPrefix("/pets-api")                  // instead of the path of servers[0].url
        .idPrefix("petstore.")                    // route ids: petstore.getPetById, ...
        .validateRequests(true)                   // the default
        .eachRoute(r -> r.stripPrefix(1))         // what the document does not say
        .build();
    // end::options[]
    return routes;
  }

  static void errors() {
    // tag::errors[]
    try {
      OpenApiRoutes.from(Path.of("petstore.yaml")).upstream("http://pets.internal").build();
    } catch (OpenApiException e) {
      for (OpenApiException.Problem problem : e.problems()) {
        System.err.println(problem);              // #/paths/~1pets/post/requestBody/...: unresolved $ref ...
      }
    }
    // end::errors[]
  }
}
