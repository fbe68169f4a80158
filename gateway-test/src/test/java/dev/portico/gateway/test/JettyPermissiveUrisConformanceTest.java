package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.Optional;
import java.util.Set;

/**
 * The conformance suite against a Jetty core host that lets every URI through its parser
 * ({@code UriCompliance.UNSAFE}): what Jetty would refuse first reaches the gateway, so its own
 * path checks are what hold.
 */
class JettyPermissiveUrisConformanceTest extends GatewaySecurityConformance {
  /** Where this host differs from Jetty's default: empty segments reach the gateway, which folds them. */
  private static final Set<String> FOLDED = Set.of("GET //admin/x", "GET /admin//x", "GET ///admin/x",
      "GET //public/../admin/x");

  @Override
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    return Optional.of(FOLDED.contains(requestLine) ? 401 : JettyHandlerConformanceTest.NOT_400.getOrDefault(requestLine, 400));
  }

  @Override
  protected Optional<Integer> smugglingStatus(String name) {
    return Optional.of(JettyHandlerConformanceTest.NOT_IMPLEMENTED.contains(name) ? 501
        : JettyHandlerConformanceTest.NORMALIZED.contains(name) ? 200 : 400);
  }

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
