package dev.portico.gateway.test;

import dev.portico.gateway.auth.jwt.JwtAuthenticator;

/**
 * The conformance suite against a gateway whose JWT route is keyed with an HS256 secret: the
 * public-key signatures and their relabelled forms, and HS256 tokens keyed with public keys, are
 * all refused.
 */
class HmacConformanceTest extends GatewaySecurityConformance {
  @Override
  protected TokenAlgorithm tokenAlgorithm() {
    return TokenAlgorithm.HS256;
  }

  @Override
  protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
    FakeIdentityProvider idp = fixtures.identityProvider();
    JwtAuthenticator jwt = JwtAuthenticator.builder().hmacSecret(idp.hmacSecret()).issuer(idp.issuer()).audience("admin-api").build();
    GatewayServer server = GatewayServer.start(JettyHandlerConformanceTest.gateway(jwt, fixtures));
    return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
  }
}
