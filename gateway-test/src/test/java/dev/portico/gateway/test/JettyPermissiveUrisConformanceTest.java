package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;

/**
 * The conformance suite against a Jetty core host that lets every URI through its parser
 * ({@code UriCompliance.UNSAFE}): what Jetty would refuse first reaches the gateway, so its own
 * path checks are what hold.
 */
class JettyPermissiveUrisConformanceTest extends GatewaySecurityConformance {
  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    GatewayServer server = GatewayServer.builder()
        .gateway(JettyHandlerConformanceTest.gateway(jwt, fixtures))
        .permissiveUris(true)
        .start();
    return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
  }
}
