package dev.portico.gateway.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link JwtAuthenticator.Builder#build()} refuses every unsafe or inconsistent setting, by name. */
class JwtAuthenticatorBuilderTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final String JWKS = "http://127.0.0.1:1/jwks";

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        invalid("no key source", b -> b.audience("api"), "no key source"),
        invalid("two key sources", b -> b.jwksUri(JWKS).hmacSecret(SECRET), "jwksUri, jwkSet and hmacSecret: 2 set"),
        invalid("short secret", b -> b.hmacSecret(new byte[31]), "hmacSecret: 31 bytes (expected: >= 32)"),
        invalid("secret too short for HS512", b -> b.hmacSecret(SECRET).algorithms("HS512"), "hmacSecret: 32 bytes, too short for HS512"),
        invalid("HS256 with a JWK set URL", b -> b.jwksUri(JWKS).algorithms("RS256", "HS256"), "algorithms: HS256 needs hmacSecret"),
        invalid("HS256 next to a local JWK set", b -> b.jwkSet(TestTokens.jwks(TestTokens.ec("ec-1"))).algorithms("ES256", "HS256"),
            "algorithms: HS256 needs hmacSecret"),
        invalid("HS256 with discovery", b -> b.issuer("https://idp.example").algorithms("HS256"), "algorithms: HS256 needs hmacSecret"),
        invalid("RS256 with a secret", b -> b.hmacSecret(SECRET).algorithms("RS256"), "algorithms: RS256 is a public-key algorithm"),
        invalid("alg none", b -> b.jwksUri(JWKS).algorithms("none"), "algorithms: 'none' is never accepted"),
        invalid("unsupported alg", b -> b.jwksUri(JWKS).algorithms("ES256K"), "algorithms: 'ES256K' is not supported"),
        invalid("no algorithms", b -> b.jwksUri(JWKS).algorithms(), "algorithms: empty"),
        invalid("skew over 5 minutes", b -> b.jwksUri(JWKS).clockSkew(Duration.ofMinutes(6)), "clockSkew: PT6M"),
        invalid("negative skew", b -> b.jwksUri(JWKS).clockSkew(Duration.ofSeconds(-1)), "clockSkew: PT-1S"),
        invalid("tiny token cap", b -> b.jwksUri(JWKS).maxTokenSize(10), "maxTokenSize: 10"),
        invalid("negative token cache", b -> b.jwksUri(JWKS).tokenCacheSize(-1), "tokenCacheSize: -1"),
        invalid("JWK set URL not http", b -> b.jwksUri("file:///etc/jwks.json"), "jwksUri: 'file:///etc/jwks.json'"),
        invalid("relative JWK set URL", b -> b.jwksUri("/jwks"), "jwksUri: '/jwks'"),
        invalid("discovery issuer not a URL", b -> b.issuer("idp"), "issuer: 'idp'"),
        invalid("JWK set not JSON", b -> b.jwkSet("nope"), "jwkSet: not a JWK set"),
        invalid("JWK set with a secret", b -> b.jwkSet("{\"keys\":[{\"kty\":\"oct\",\"k\":\"" + "A".repeat(43) + "\"}]}"),
            "jwkSet: contains a symmetric (oct) key"),
        invalid("JWK set without signature keys", b -> b.jwkSet("{\"keys\":[]}"), "jwkSet: no usable signature key"),
        invalid("cookie and header", b -> b.jwksUri(JWKS).tokenFromCookie("at").tokenFromHeader("X-Token"),
            "tokenFromCookie and tokenFromHeader: both set"),
        invalid("bad header name", b -> b.jwksUri(JWKS).tokenFromHeader("X Token"), "tokenFromHeader: 'X Token'"),
        invalid("bad roles path", b -> b.jwksUri(JWKS).rolesClaim("realm_access..roles"), "rolesClaim: 'realm_access..roles'"),
        invalid("empty audience", b -> b.jwksUri(JWKS).audience(""), "audience: an empty"));
  }

  private static Arguments invalid(String name, UnaryOperator<JwtAuthenticator.Builder> settings, String message) {
    return Arguments.of(Named.of(name, settings), message);
  }

  @ParameterizedTest
  @MethodSource("invalidSettings")
  void buildRefusesAndNamesTheSetting(UnaryOperator<JwtAuthenticator.Builder> settings, String message) {
    assertThatThrownBy(() -> settings.apply(JwtAuthenticator.builder()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JwtAuthenticator: ")
        .hasMessageContaining(message);
  }

  @Test
  void buildDoesNoIo() {
    // Nothing listens on port 1: building must still succeed, and so must closing.
    try (JwtAuthenticator jwt = JwtAuthenticator.builder().jwksUri(JWKS).build()) {
      assertThat(jwt.toString()).contains("JWK set http://127.0.0.1:1/jwks").contains("Authorization: Bearer");
    }
    try (JwtAuthenticator jwt = JwtAuthenticator.forIssuer("https://idp.example", "orders-api")) {
      assertThat(jwt.toString()).contains("discovery from https://idp.example");
    }
  }

  @Test
  void hmacSecretIsCopied() throws Exception {
    byte[] secret = SECRET.clone();
    JwtAuthenticator.Builder builder = JwtAuthenticator.builder().hmacSecret(secret);
    java.util.Arrays.fill(secret, (byte) 0);
    String token = TestTokens.signHmac(SECRET, new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
        TestTokens.claims(java.time.Instant.now()).build());

    try (JwtAuthenticator jwt = builder.build()) {
      dev.portico.gateway.auth.AuthResult result = jwt.authenticate(new StubExchange(dev.portico.gateway.GatewayRequest
          .builder("GET", "/").header("Authorization", "Bearer " + token).build())).toCompletableFuture().get();
      assertThat(result.kind()).isEqualTo(dev.portico.gateway.auth.AuthResult.Kind.AUTHENTICATED);
      assertThat(jwt.toString()).contains("HMAC secret").doesNotContain("0123456789abcdef");
    }
  }
}
