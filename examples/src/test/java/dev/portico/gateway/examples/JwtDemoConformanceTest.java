package dev.portico.gateway.examples;

import dev.portico.gateway.test.ConformanceFixtures;
import dev.portico.gateway.test.ConformanceTarget;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.GatewaySecurityConformance;

/**
 * The JWT example's gateway configuration through the security conformance suite, the way a host
 * runs it: the example's own {@link JwtDemoExample#gateway} builder, pointed at the kit's fake
 * identity provider and recording upstream.
 */
// tag::suite[]
class JwtDemoConformanceTest extends GatewaySecurityConformance {
  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtDemoExample.Config config = JwtDemoExample.gateway(
        fixtures.identityProvider().issuer(),          // the JWT route trusts the fake IdP
        fixtures.protectedUpstreamUri());              // and forwards to the suite's recorder
    GatewayServer server = GatewayServer.start(config.gateway().toBuilder()
        .route("public", r -> r.path("/public/**").permitAll()   // an open route: the path attacks
            .upstream(fixtures.publicUpstreamUri()))             // start from it, as an attacker would
        .build());
    return ConformanceTarget.builder()
        .baseUri(server.baseUri())
        .protectedPrefix("/api/orders")                // the route takes /api/orders/**
        .publicPrefix("/public")                       // the open route (the default)
        .validToken(t -> t.audience("orders-api").claim("scope", "orders:read"))
        .identityHeaders("X-Auth-Subject", "X-Auth-Scopes", "X-Auth-Issuer", "X-Auth-Method")
        .bodyMethod("GET")                             // the route takes GET only
        .closeAfter(config.jwt(), server)
        .build();
  }
}
// end::suite[]
