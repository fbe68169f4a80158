package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;

/** The conformance suite against the gateway mounted as a Jetty 12 core handler, Jetty's default URI compliance. */
class JettyHandlerConformanceTest extends GatewaySecurityConformance {
  /** The configuration every mounting here runs: a public route and a JWT route on {@code /admin/**}. */
  static Gateway gateway(JwtAuthenticator jwt, ConformanceFixtures fixtures) {
    return Gateway.builder()
        .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
        .route("admin", r -> r.path("/admin/**").authenticator(jwt)
            .identityForwarding(IdentityForwarding.headersOnly())
            .upstream(fixtures.protectedUpstreamUri()))
        .build();
  }

  static JwtAuthenticator authenticator(ConformanceFixtures fixtures) {
    return JwtAuthenticator.builder().issuer(fixtures.identityProvider().issuer()).audience("admin-api").build();
  }

  static ConformanceTarget.Builder target() {
    return ConformanceTarget.builder()
        .protectedPrefix("/admin")
        .publicPrefix("/public")
        .validToken(t -> t.audience("admin-api"))
        .identityHeaders("X-Auth-Subject", "X-Auth-Scopes", "X-Auth-Issuer", "X-Auth-Method");
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = authenticator(fixtures);
    GatewayServer server = GatewayServer.start(gateway(jwt, fixtures));
    return target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
  }
}
