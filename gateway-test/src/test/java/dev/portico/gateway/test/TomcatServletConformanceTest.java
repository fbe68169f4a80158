package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.Map;
import java.util.Optional;

/** The conformance suite against {@code GatewayServlet} in embedded Tomcat 11, the container's defaults. */
class TomcatServletConformanceTest extends GatewaySecurityConformance {
  /**
   * Where Tomcat differs from the Jetty core handler: it lets empty segments through to the
   * gateway (which folds them), and answers CONNECT (501) and {@code OPTIONS *} (200) itself.
   */
  private static final Map<String, Integer> TOMCAT = Map.of(
      "GET //admin/x", 401,
      "GET /admin//x", 401,
      "CONNECT AUTHORITY", 501,
      "CONNECT evil.example:443", 501,
      "OPTIONS *", 200);

  @Override
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    Integer status = TOMCAT.get(requestLine);
    return Optional.of(status != null ? status : JettyHandlerConformanceTest.NOT_400.getOrDefault(requestLine, 400));
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletHosts.Running host = ServletHosts.tomcat(JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }
}
