package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;

/** The conformance suite against {@code GatewayServlet} in embedded Tomcat 11, the container's defaults. */
class TomcatServletConformanceTest extends GatewaySecurityConformance {
  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletHosts.Running host = ServletHosts.tomcat(JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }
}
