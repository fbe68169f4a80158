package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The conformance suite against the gateway mounted as a Jetty 12 core handler, Jetty's default URI compliance. */
class JettyHandlerConformanceTest extends GatewaySecurityConformance {
  /**
   * The configuration every mounting here runs: a public route and a JWT route on {@code /admin/**}
   * that also proxies WebSocket (so the suite's handshake rows reach a route that upgrades).
   */
  static Gateway gateway(JwtAuthenticator jwt, ConformanceFixtures fixtures) {
    return Gateway.builder()
        .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
        .route("admin", r -> r.path("/admin/**").authenticator(jwt)
            .identityForwarding(IdentityForwarding.headersOnly())
            .websocket()
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

  /**
   * What a Jetty core host with Jetty's default URI compliance answers where it is not 400: the
   * rows that resolve onto the admin route (401), other paths and CONNECT to itself (404), and
   * the public route's own answer (200). The statuses Security lists.
   */
  static final Map<String, Integer> NOT_400 = Map.ofEntries(
      Map.entry("GET /admin/x", 401),
      Map.entry("GET /public/../admin/x", 401),
      Map.entry("GET /public/x/../../admin/x", 401),
      Map.entry("GET /public/./../admin/x", 401),
      Map.entry("GET http://AUTHORITY/admin/x", 401),
      Map.entry("GET http://AUTHORITY/public/../admin/x", 401),
      Map.entry("GET /%61dmin/x", 401),
      Map.entry("CONNECT AUTHORITY", 404),
      Map.entry("GET /ADMIN/x", 404),
      Map.entry("GET /admin./x", 404),
      Map.entry("GET /public/..%3b/admin/x", 200));

  /**
   * The smuggling rows Jetty's parser accepts and normalizes (the upstream gets one clean request
   * and the client 200); it refuses every other one with 400, but for {@link #NOT_IMPLEMENTED}.
   */
  static final Set<String> NORMALIZED = Set.of(
      "Transfer-Encoding with a leading space",
      "Transfer-Encoding: Chunked (case)",
      "Transfer-Encoding with a tab",
      "bare LF line endings",
      "bare LF inside the head",
      "request pipelined after the last chunk",
      "plain chunked (control)",
      "plain Content-Length (control)");

  @Override
  protected Optional<Integer> pathAttackStatus(String requestLine) {
    return Optional.of(NOT_400.getOrDefault(requestLine, 400));
  }

  /**
   * The rows with a transfer coding before {@code chunked}: Jetty's parser passes them on, and the
   * gateway answers 501, as Tomcat does on its own; the same status on every adapter.
   */
  static final Set<String> NOT_IMPLEMENTED = Set.of(
      "Transfer-Encoding: identity, chunked",
      "Transfer-Encoding: gzip, chunked");

  @Override
  protected Optional<Integer> smugglingStatus(String name) {
    return Optional.of(NOT_IMPLEMENTED.contains(name) ? 501 : NORMALIZED.contains(name) ? 200 : 400);
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    JwtAuthenticator jwt = authenticator(fixtures);
    GatewayServer server = GatewayServer.start(gateway(jwt, fixtures));
    return target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
  }
}
