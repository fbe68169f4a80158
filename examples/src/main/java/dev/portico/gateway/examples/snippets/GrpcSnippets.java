package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import java.time.Duration;

/** The gRPC page: routes to a gRPC service and to one of its methods. */
final class GrpcSnippets {
  private GrpcSnippets() {}

  static Gateway routes() {
    // tag::routes[]
    JwtAuthenticator jwt = JwtAuthenticator.builder()
        .jwksUri("https://idp.example.com/oauth2/jwks")
        .issuer("https://idp.example.com")
        .build();

    Gateway gateway = Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("greeter")
            .endpoint("http://greeter-1:9090")            // h2c: cleartext HTTP/2, prior knowledge
            .endpoint("http://greeter-2:9090")
            .protocol(UpstreamProtocol.HTTP_2)            // gRPC needs HTTP/2 to the upstream
            .build())
        .route("greeter-reset", r -> r
            .path("/helloworld.Greeter/Reset")            // one method: /package.Service/Method
            .upstreamGroup("greeter")
            .authenticator(jwt)                           // no token: UNAUTHENTICATED (16)
            .rateLimiter(Bucket4jRateLimiter.perKey(      // over the limit: RESOURCE_EXHAUSTED (8)
                10, Duration.ofMinutes(1), KeyResolver.principal())))
        .route("greeter", r -> r
            .path("/helloworld.Greeter/*")                // every other method of the service
            .upstreamGroup("greeter")
            .timeouts(Timeouts.DEFAULT
                .withIdle(Duration.ofMinutes(10))         // a stream may stay silent this long
                .withRequestBody(Duration.ofHours(1))))   // a client stream is one request body
        .build();
    // end::routes[]
    return gateway;
  }
}
