package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;

/** The conformance suite against {@code GatewayServlet} in Jetty 12 ee10, the container's defaults. */
class JettyServletConformanceTest extends GatewaySecurityConformance {
  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletHosts.Running host = ServletHosts.jettyEe10(JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }
}
