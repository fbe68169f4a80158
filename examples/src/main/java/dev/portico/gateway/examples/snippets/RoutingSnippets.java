package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.PathRewrite;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.validation.JsonSchema;
import java.time.Duration;

/** The routing page: path patterns, predicates, rewrites, route defaults and per-method policies. */
final class RoutingSnippets {
  private RoutingSnippets() {}

  static Gateway patterns(String backend) {
    // tag::patterns[]
    Gateway gateway = Gateway.builder()
        // a literal: exactly /health
        .route("health", r -> r.path("/health").upstream(backend))
        // {id}: one segment, captured as the path variable "id"
        .route("user", r -> r.path("/users/{id}").upstream(backend))
        // *: one segment, not captured
        .route("avatar", r -> r.path("/users/*/avatar").upstream(backend))
        // **, last only: zero or more segments (/static, /static/, /static/css/a.css)
        .route("static", r -> r.path("/static/**").upstream(backend))
        // {*rest}, last only: like **, captured without its leading slash
        // (/files/a/b.txt captures rest = "a/b.txt", /files captures rest = "")
        .route("files", r -> r.path("/files/{*rest}").upstream(backend))
        // a Java regular expression over the whole path; named groups become variables
        .route("versioned", r -> r.pathRegex("/v(?<version>[0-9]+)/.*").upstream(backend))
        .build();
    // end::patterns[]
    return gateway;
  }

  static Gateway predicates() {
    // tag::predicates[]
    Gateway gateway = Gateway.builder()
        // Both routes have the same path pattern, so the one declared first is tried first:
        // declare the narrower route before the broader one.
        .route("orders-beta", r -> r
            .path("/api/orders/**")
            .methods("GET", "POST")
            .hosts("api.example.com", "*.api.example.com")   // Host, ignoring case and port
            .header("X-Api-Version", "2")                    // header present with this value
            .queryParam("beta")                              // query parameter present
            .upstream("http://orders-beta:8080"))
        .route("orders", r -> r
            .path("/api/orders/**")
            .methods("GET", "POST")
            .upstream("http://orders:8080"))
        .build();
    // end::predicates[]
    return gateway;
  }

  static Gateway rewrites() {
    // tag::rewrites[]
    Gateway gateway = Gateway.builder()
        // GET /api/orders/7?expand=items -> http://orders:8080/orders/7?expand=items
        .route("orders", r -> r
            .path("/api/orders/**")
            .stripPrefix(1)
            .upstream("http://orders:8080"))
        // GET /api/users/7 -> http://users:8080/v2/users/7
        .route("user", r -> r
            .path("/api/users/{id}")
            .rewritePath("/v2/users/{id}")
            .upstream("http://users:8080"))
        // GET /legacy/reports/q3 -> http://reports:8080/app/reports/q3 (the base path goes first)
        .route("legacy", r -> r
            .path("/legacy/**")
            .stripPrefix(1)
            .upstream("http://reports:8080/app"))
        .build();
    // end::rewrites[]
    return gateway;
  }

  static Route rewriteValue() {
    // tag::rewrite-value[]
    Route route = Route.builder("files")
        .path("/download/{*file}")
        .rewrite(PathRewrite.template("/blobs/{file}"))   // same as .rewritePath("/blobs/{file}")
        .upstream("http://storage:8080")
        .build();
    // end::rewrite-value[]
    return route;
  }

  static Gateway defaultsAndMethods(Authenticator jwt, RateLimiter perClient, RateLimiter writes) {
    // tag::defaults[]
    Gateway gateway = Gateway.builder()
        .authenticator(jwt)                                  // itself a route default
        .routeDefaults(d -> d                                // what every route inherits
            .requestHeaders(h -> h.set("X-Gateway", "portico"))
            .rateLimiter(perClient)
            .maxRequestBodySize(64 * 1024)
            .responseTimeout(Duration.ofSeconds(5)))
        // Says nothing: inherits all of the above.
        .route("users", r -> r.path("/users/**").upstream("http://users:8080"))
        // One path, policies per method: GET needs orders:read; POST also needs
        // orders:write, a JSON body that meets the schema, and passes its own limiter.
        .route("orders", r -> r
            .path("/orders/**")
            .authorize(AccessRule.scopes("orders:read"))
            .methodPolicies("POST", m -> m
                .authorize(AccessRule.scopes("orders:write"))  // added to the route's rules
                .validate(v -> v.contentTypes("application/json")
                    .jsonSchema(JsonSchema.resource("schemas/order.json")))
                .rateLimiter(writes))                          // replaces perClient, for POST
            .upstream("http://orders:8080"))
        // Sets or drops what it must not inherit.
        .route("uploads", r -> r
            .path("/uploads/**")
            .noMaxRequestBodySize()
            .responseTimeout(Duration.ofMinutes(2))
            .upstream("http://files:8080"))
        .build();
    // end::defaults[]
    return gateway;
  }
}
