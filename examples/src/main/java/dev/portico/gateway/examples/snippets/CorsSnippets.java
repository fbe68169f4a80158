package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.cors.CorsPolicy;
import java.time.Duration;

/** The CORS page: a gateway-wide policy and a route's own. */
final class CorsSnippets {
  private CorsSnippets() {}

  static Gateway cors() {
    // tag::cors[]
    Gateway gateway = Gateway.builder()
        // Every route: the company's web apps, with cookies.
        .cors(c -> c
            .allowOrigins("https://app.example.com", "https://*.example.com")
            .allowMethods("GET", "POST", "PUT", "DELETE")
            .allowHeaders("Content-Type", "Authorization")
            .exposeHeaders("X-Request-Id")
            .allowCredentials()
            .maxAge(Duration.ofMinutes(10)))
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        // A public, read-only route: any site may read it, without cookies.
        .route("catalog", r -> r
            .path("/api/catalog/**")
            .methods("GET")
            .permitAll()
            .cors(CorsPolicy.anyOrigin())
            .upstream("http://catalog:8080"))
        .build();
    // end::cors[]
    return gateway;
  }

  static CorsPolicy development() {
    // tag::dev[]
    CorsPolicy localDevelopment = CorsPolicy.builder()
        .allowOrigins("http://localhost:*", "http://127.0.0.1:*")   // any port
        .allowMethods("*")
        .allowHeaders("*")                                          // echoes what is asked
        .build();
    // end::dev[]
    return localDevelopment;
  }
}
