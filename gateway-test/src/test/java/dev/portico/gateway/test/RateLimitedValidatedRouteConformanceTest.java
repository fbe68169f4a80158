package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.validation.JsonSchema;
import java.time.Duration;

/**
 * The suite against a gateway configured the way a real one is: the protected API limited to 5
 * requests per minute per subject, its reads on GET and its writes on POST, validated as JSON
 * against a schema. It passes: every valid token the suite sends is a subject of its own, and the
 * smuggling table sends the media type and body the target names, which the schema accepts.
 */
class RateLimitedValidatedRouteConformanceTest extends GatewaySecurityConformance {
  /** What the write route's schema accepts: an object with a string {@code item} and nothing else. */
  static final String SCHEMA = """
      {"type": "object", "required": ["item"], "additionalProperties": false,
       "properties": {"item": {"type": "string", "minLength": 1}}}
      """;

  /** A public route, and the protected API: 5 requests per minute per subject, POST bodies validated. */
  static Gateway gateway(JwtAuthenticator jwt, ConformanceFixtures fixtures, boolean publicRoute) {
    RateLimiter perSubject = Bucket4jRateLimiter.perKey(5, Duration.ofMinutes(1), KeyResolver.principal());
    Gateway.Builder gateway = Gateway.builder();
    if (publicRoute) {
      gateway.route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()));
    }
    return gateway
        .route("orders-read", r -> r.path("/api/orders/**").methods("GET")
            .authenticator(jwt).rateLimiter(perSubject)
            .identityForwarding(IdentityForwarding.headersOnly())
            .upstream(fixtures.protectedUpstreamUri()))
        .route("orders-write", r -> r.path("/api/orders/**").methods("POST")
            .authenticator(jwt).rateLimiter(perSubject)
            .identityForwarding(IdentityForwarding.headersOnly())
            .validate(v -> v.jsonSchema(JsonSchema.of(SCHEMA)))   // application/json only: others 415
            .upstream(fixtures.protectedUpstreamUri()))
        .build();
  }

  static JwtAuthenticator authenticator(ConformanceFixtures fixtures) {
    return JwtAuthenticator.builder().issuer(fixtures.identityProvider().issuer()).audience("orders-api").build();
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = authenticator(fixtures);
    GatewayServer server = GatewayServer.start(gateway(jwt, fixtures, true));
    return ConformanceTarget.builder()
        .baseUri(server.baseUri())
        .protectedPrefix("/api/orders")
        .publicPrefix("/public")
        .validToken(t -> t.audience("orders-api"))
        .identityHeaders("X-Auth-Subject", "X-Auth-Scopes", "X-Auth-Issuer", "X-Auth-Method")
        .bodyMethod("POST")
        .bodyContentType("application/json")
        .body("{\"item\":\"caf\u00e9 cr\u00e8me\"}")           // not ASCII: the lengths count UTF-8 bytes
        .closeAfter(jwt, server)
        .build();
  }
}
