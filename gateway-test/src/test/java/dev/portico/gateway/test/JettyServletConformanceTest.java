package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.Optional;

/** The conformance suite against {@code GatewayServlet} in Jetty 12 ee10, the container's defaults. */
class JettyServletConformanceTest extends GatewaySecurityConformance {
  /** As the Jetty core handler, except that the servlet context answers {@code OPTIONS *} 404. */
  @Override
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    return Optional.of(requestLine.equals("OPTIONS *") ? 404 : JettyHandlerConformanceTest.NOT_400.getOrDefault(requestLine, 400));
  }

  /**
   * As the Jetty core handler, except for a body that breaks after the servlet started: the
   * container has closed the connection without an answer in every run so far, but whether an
   * answer gets out first is a race, so those two rows are left to the suite's rule.
   */
  @Override
  protected Optional<Integer> smugglingStatus(String name) {
    if (name.equals("chunk size overflow") || name.equals("chunk extension with a bare LF")) {
      return Optional.empty();
    }
    return Optional.of(JettyHandlerConformanceTest.NOT_IMPLEMENTED.contains(name) ? 501
        : JettyHandlerConformanceTest.NORMALIZED.contains(name) ? 200 : 400);
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletServer host = ServletServer.start(ServletServer.Container.JETTY_EE10, JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }
}
