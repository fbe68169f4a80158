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
      "GET ///admin/x", 401,
      "GET //public/../admin/x", 401,
      "CONNECT AUTHORITY", 501,
      "CONNECT evil.example:443", 501,
      "OPTIONS *", 200);

  @Override
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    Integer status = TOMCAT.get(requestLine);
    return Optional.of(status != null ? status : JettyHandlerConformanceTest.NOT_400.getOrDefault(requestLine, 400));
  }

  /**
   * Tomcat's parser, where it differs from Jetty's: it takes Transfer-Encoding over Content-Length
   * and folds obs-fold lines (forwarding one clean request), answers 501 to a transfer coding it
   * does not know (the gateway answers the ones Jetty passes on with 501 too). A body that breaks after the servlet started (a chunk size overflow, a bare LF
   * in a chunk extension) is left to the suite's rule: whether an answer gets out before the
   * connection closes is a race.
   */
  private static final Map<String, Integer> TOMCAT_SMUGGLING = Map.of(
      "Content-Length and Transfer-Encoding", 200,
      "Transfer-Encoding then Content-Length", 200,
      "obs-fold header folding", 200,
      "Transfer-Encoding: xchunked", 501);

  @Override
  protected Optional<Integer> smugglingStatus(String name) {
    if (name.equals("chunk size overflow") || name.equals("chunk extension with a bare LF")) {
      return Optional.empty();
    }
    Integer status = TOMCAT_SMUGGLING.get(name);
    return Optional.of(status != null ? status : JettyHandlerConformanceTest.NOT_IMPLEMENTED.contains(name) ? 501
        : JettyHandlerConformanceTest.NORMALIZED.contains(name) ? 200 : 400);
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
    ServletServer host = ServletServer.start(ServletServer.Container.TOMCAT, JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(host.baseUri()).closeAfter(jwt, host).build();
  }
}
