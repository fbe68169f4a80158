package dev.portico.gateway.examples;

import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.test.ConformanceTarget;
import dev.portico.gateway.test.GatewayServer;

/**
 * The code behind the testing page's snippets on describing a gateway to the conformance suite.
 * Nothing here runs: it exists so that the snippets compile (see {@code DocSnippetsTest}).
 */
final class ConformanceTargetSnippets {
  private ConformanceTargetSnippets() {}

  static ConformanceTarget jsonBody(GatewayServer server) {
    // tag::json-body[]
    ConformanceTarget target = ConformanceTarget.builder()
        .baseUri(server.baseUri())
        .protectedPrefix("/api/orders")                  // GET and POST /api/orders/**
        .validToken(t -> t.audience("orders-api").claim("scope", "orders:write"))
        .bodyMethod("POST")
        .bodyContentType("application/json")
        .body("{\"item\":\"book\"}")                      // a body the route's schema accepts
        .closeAfter(server)
        .build();
    // end::json-body[]
    return target;
  }

  static RateLimiter exempt(RateLimiter limiter) {
    // tag::exempt[]
    RateLimiter forTheTest = limiter.when(exchange -> exchange.identity()
        .map(identity -> !identity.subject().startsWith("conformance-"))
        .orElse(true));                                  // the suite's callers skip this limit
    // end::exempt[]
    return forTheTest;
  }
}
