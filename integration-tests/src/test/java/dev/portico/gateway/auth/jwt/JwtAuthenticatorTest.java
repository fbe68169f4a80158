package dev.portico.gateway.auth.jwt;

import static dev.portico.gateway.auth.jwt.TestTokens.AUDIENCE;
import static dev.portico.gateway.auth.jwt.TestTokens.ISSUER;
import static dev.portico.gateway.auth.jwt.TestTokens.b64;
import static dev.portico.gateway.auth.jwt.TestTokens.claims;
import static dev.portico.gateway.auth.jwt.TestTokens.sign;
import static dev.portico.gateway.auth.jwt.TestTokens.withPart;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.TestClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** {@link JwtAuthenticator} on a real gateway, with keys from a real JWK set endpoint. */
class JwtAuthenticatorTest {
  private static RSAKey rsa;
  private static ECKey ec;
  private static OctetKeyPair ed25519;
  private static RSAKey stranger;

  private final TestClock clock = TestClock.atNow();
  private KeyServer keyServer;
  private JwtAuthenticator jwt;
  private JwtGateway gateway;

  @BeforeAll
  static void generateKeys() {
    rsa = TestTokens.rsa("rsa-1");
    ec = TestTokens.ec("ec-1");
    ed25519 = TestTokens.ed25519("ed-1");
    stranger = TestTokens.rsa("rsa-1"); // same kid as ours, different key
  }

  @BeforeEach
  void start() throws Exception {
    keyServer = KeyServer.start().serve(TestTokens.jwks(rsa, ec, ed25519));
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (jwt != null) {
      jwt.close();
    }
    keyServer.close();
  }

  private JwtAuthenticator.Builder authenticator() {
    return JwtAuthenticator.builder().jwksUri(keyServer.jwksUri()).issuer(ISSUER).audience(AUDIENCE).clock(clock);
  }

  private JwtGateway start(JwtAuthenticator.Builder builder) throws Exception {
    jwt = builder.build();
    gateway = JwtGateway.start(jwt);
    return gateway;
  }

  private Instant now() {
    return clock.instant();
  }

  @ParameterizedTest
  @EnumSource(TestTokens.KeyKind.class)
  void acceptsValidTokenOfEachKeyTypeAndProxiesTheRequest(TestTokens.KeyKind kind) throws Exception {
    start(authenticator());
    String token = sign(kind == TestTokens.KeyKind.RSA ? rsa : kind == TestTokens.KeyKind.EC ? ec : ed25519,
        claims(now()).build());

    ContentResponse response = gateway.get(token);

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
    RecordedRequest received = gateway.upstream.takeRequest();
    assertThat(received.target()).isEqualTo("/api/orders");
    // Default forwarding passes the credentials on.
    assertThat(received.header("Authorization")).contains("Bearer " + token);
  }

  @Test
  void headersOnlyForwardingSendsIdentityHeadersInsteadOfTheToken() throws Exception {
    jwt = authenticator().build();
    gateway = JwtGateway.start(jwt, r -> r.identityForwarding(IdentityForwarding.headersOnly()));

    ContentResponse response = gateway.get(h -> h
        .put(HttpHeader.AUTHORIZATION, "Bearer " + sign(rsa, claims(now()).build()))
        .put("X-Auth-Subject", "admin")
        .put("X-Auth-Scopes", "everything"));

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = gateway.upstream.takeRequest();
    assertThat(received.headerValues("X-Auth-Subject")).containsExactly("alice");
    assertThat(received.headerValues("X-Auth-Scopes")).containsExactly("orders:read orders:write");
    assertThat(received.header("X-Auth-Issuer")).contains(ISSUER);
    assertThat(received.header("X-Auth-Method")).contains("jwt");
    assertThat(received.header("Authorization")).isEmpty();
  }

  @Test
  void identityCarriesScopesRolesPlanAndPlainJavaClaims() throws Exception {
    AtomicReference<Identity> seen = new AtomicReference<>();
    jwt = authenticator().rolesClaim("realm_access.roles").planClaim("billing.plan").build();
    gateway = JwtGateway.start(jwt, r -> r.filter((exchange, chain) -> {
      seen.set(exchange.identity().orElseThrow());
      return chain.proceed(exchange);
    }));
    JWTClaimsSet claims = claims(now())
        .claim("scope", null)
        .claim("scp", List.of("orders:read", "orders:refund"))
        .claim("realm_access", Map.of("roles", List.of("clerk", "auditor")))
        .claim("billing", Map.of("plan", "gold", "seats", 12))
        .claim("email_verified", true)
        .build();

    assertThat(gateway.get(sign(ec, claims)).getStatus()).isEqualTo(200);

    Identity identity = seen.get();
    assertThat(identity.subject()).isEqualTo("alice");
    assertThat(identity.issuer()).contains(ISSUER);
    assertThat(identity.method()).isEqualTo("jwt");
    assertThat(identity.scopes()).containsExactlyInAnyOrder("orders:read", "orders:refund");
    assertThat(identity.roles()).containsExactlyInAnyOrder("clerk", "auditor");
    assertThat(identity.plan()).contains("gold");
    assertThat(identity.claim("email_verified")).contains(true);
    assertThat(identity.claim("exp")).contains(now().plus(Duration.ofMinutes(5)).getEpochSecond());
    Object billing = identity.claim("billing").orElseThrow();
    assertThat(billing).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> billingMap = (Map<String, Object>) billing;
    assertThat(billingMap).containsEntry("plan", "gold").containsEntry("seats", 12L);
    assertPlainJava(identity.claims());
  }

  private static void assertPlainJava(Object value) {
    assertThat(value.getClass().getName()).as("type of %s", value).startsWith("java.");
    if (value instanceof Map<?, ?> map) {
      map.values().forEach(JwtAuthenticatorTest::assertPlainJava);
    } else if (value instanceof List<?> list) {
      list.forEach(JwtAuthenticatorTest::assertPlainJava);
    }
  }

  static Stream<Arguments> badTokens() {
    return Stream.of(
        bad("two segments", now -> "eyJhbGciOiJSUzI1NiJ9.e30",
            "The token is malformed: expected three dot-separated parts."),
        bad("four segments", now -> sign(rsa, claims(now).build()) + ".AAAA",
            "The token is malformed: expected three dot-separated parts."),
        bad("five segments (an encrypted token)", now -> "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d",
            "The token is malformed: expected three dot-separated parts."),
        bad("bad base64", now -> withPart(sign(rsa, claims(now).build()), 1, "eyJzdWIi*!"),
            "The token is malformed: a part is not base64url."),
        bad("padded base64", now -> withPart(sign(rsa, claims(now).build()), 0, b64("{\"alg\":\"RS256\"}") + "=="),
            "The token is malformed: a part is not base64url."),
        bad("header not JSON", now -> withPart(sign(rsa, claims(now).build()), 0, b64("RS256")),
            "The token is malformed: its header is not a JSON object with an algorithm."),
        bad("payload not JSON", now -> signRaw(rsa, "definitely not json"),
            "The token is malformed: its payload is not a JSON object of claims."),
        bad("payload with a duplicate claim", now -> signRaw(rsa, "{\"sub\":\"alice\",\"sub\":\"admin\",\"iss\":\""
                + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + now.plusSeconds(300).getEpochSecond() + "}"),
            "The token is malformed: its payload is not a JSON object of claims."),
        bad("100 KB token", now -> sign(rsa, claims(now).claim("padding", "x".repeat(100_000)).build()),
            "The token is too large."),
        bad("alg none", now -> b64("{\"alg\":\"none\"}") + "." + b64(claims(now).build().toString()) + ".",
            "The token's algorithm is not accepted."),
        bad("alg none with a signature", now -> withPart(sign(rsa, claims(now).build()), 0, b64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}")),
            "The token's algorithm is not accepted."),
        bad("HS256 signed with the RSA public key", now -> TestTokens.signHmac(rsaPublicKeyBytes(),
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims(now).build()),
            "The token's algorithm is not accepted."),
        bad("algorithm not on the allow-list", now -> sign(rsa, new JWSHeader.Builder(JWSAlgorithm.PS256).keyID("rsa-1").build(),
                claims(now).build()),
            "The token's algorithm is not accepted."),
        bad("unknown kid", now -> sign(TestTokens.rsa("rsa-unknown"), claims(now).build()),
            "The token's signing key is unknown."),
        bad("EC kid with an RSA algorithm", now -> sign(rsa, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ec-1").build(),
                claims(now).build()),
            "The token's signing key is unknown."),
        bad("signed by another key under our kid", now -> sign(stranger, claims(now).build()),
            "The token's signature is invalid."),
        bad("embedded jwk header", now -> sign(stranger, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .jwk(stranger.toPublicJWK()).build(), claims(now).build()),
            "The token's signature is invalid."),
        bad("tampered signature", now -> tamperSignature(sign(rsa, claims(now).build())),
            "The token's signature is invalid."),
        bad("tampered payload", now -> withPart(sign(rsa, claims(now).build()), 1,
                b64(claims(now).subject("admin").build().toString())),
            "The token's signature is invalid."),
        bad("crit header", now -> sign(rsa, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1")
                .criticalParams(Set.of("urn:example:ext")).customParam("urn:example:ext", true).build(), claims(now).build()),
            "The token requires a header extension that is not supported."),
        bad("expired", now -> sign(rsa, claims(now).issueTime(Date.from(now.minusSeconds(600)))
                .notBeforeTime(Date.from(now.minusSeconds(600))).expirationTime(Date.from(now.minusSeconds(120))).build()),
            "The token has expired."),
        bad("no expiry", now -> sign(rsa, claims(now).expirationTime(null).build()),
            "The token has no expiry time (exp)."),
        bad("not yet valid", now -> sign(rsa, claims(now).notBeforeTime(Date.from(now.plusSeconds(120))).build()),
            "The token is not valid yet."),
        bad("issued in the future", now -> sign(rsa, claims(now).notBeforeTime(null).issueTime(Date.from(now.plusSeconds(120))).build()),
            "The token was issued in the future."),
        bad("wrong issuer", now -> sign(rsa, claims(now).issuer("https://evil.example").build()),
            "The token's issuer is not accepted."),
        bad("wrong audience", now -> sign(rsa, claims(now).audience("billing-api").build()),
            "The token's audience is not accepted."),
        bad("no audience", now -> sign(rsa, claims(now).audience((String) null).build()),
            "The token's audience is not accepted."),
        bad("missing sub", now -> sign(rsa, claims(now).subject(null).build()),
            "The token has no subject (sub)."));
  }

  private static Arguments bad(String name, Function<Instant, String> token, String description) {
    return Arguments.of(Named.of(name, token), description);
  }

  @ParameterizedTest
  @MethodSource("badTokens")
  void rejectsBadTokenWith401ProblemAndBearerChallenge(Function<Instant, String> tokenAt, String description)
      throws Exception {
    start(authenticator());
    String token = tokenAt.apply(now());

    ContentResponse response = gateway.get(token);

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().getValuesList(HttpHeader.WWW_AUTHENTICATE)).containsExactly(
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"" + description + "\"");
    JsonNode problem = JwtGateway.problem(response);
    assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/unauthorized");
    assertThat(problem.get("status").asInt()).isEqualTo(401);
    assertThat(problem.get("detail").asString()).isEqualTo(description);
    for (String part : token.split("\\.")) {
      if (part.length() > 8) {
        assertThat(response.getContentAsString()).doesNotContain(part);
      }
    }
    assertThat(gateway.upstream.pollRequest()).isEmpty();
  }

  @Test
  void neverFetchesKeysFromTheTokensJkuOrX5uHeaders() throws Exception {
    try (KeyServer attacker = KeyServer.start()) {
      RSAKey attackerKey = TestTokens.rsa("attacker-1");
      attacker.serve(TestTokens.jwks(attackerKey));
      start(authenticator());
      String token = sign(attackerKey, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker-1")
          .jwkURL(URI.create(attacker.jwksUri())).x509CertURL(URI.create(attacker.jwksUri())).build(), claims(now()).build());

      ContentResponse response = gateway.get(token);

      assertThat(response.getStatus()).isEqualTo(401);
      assertThat(response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's signing key is unknown.");
      assertThat(attacker.jwksHits()).isZero();
    }
  }

  @Test
  void missingTokenAnswers401WithPlainBearerChallenge() throws Exception {
    start(authenticator());

    ContentResponse response = gateway.get(h -> {});

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().getValuesList(HttpHeader.WWW_AUTHENTICATE)).containsExactly("Bearer realm=\"api\"");
    assertThat(JwtGateway.problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/unauthorized");
    assertThat(keyServer.jwksHits()).as("no token, no key fetch").isZero();
  }

  @Test
  void anotherAuthorizationSchemeIsNotOurs() throws Exception {
    start(authenticator());

    ContentResponse response = gateway.get(h -> h.put(HttpHeader.AUTHORIZATION, "Basic YWxpY2U6c2VjcmV0"));

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().getValuesList(HttpHeader.WWW_AUTHENTICATE)).containsExactly("Bearer realm=\"api\"");
  }

  @Test
  void bearerSchemeIsCaseInsensitive() throws Exception {
    start(authenticator());

    ContentResponse response = gateway.get(h -> h.put(HttpHeader.AUTHORIZATION, "bEARER " + sign(rsa, claims(now()).build())));

    assertThat(response.getStatus()).isEqualTo(200);
  }

  @Test
  void rejectsDuplicateAuthorizationHeadersWithInvalidRequest() throws Exception {
    start(authenticator());
    String token = sign(rsa, claims(now()).build());

    RawClient.Response response = RawClient.exchange(gateway.host.port(), "GET /api/orders HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nAuthorization: Bearer " + token
        + "\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(401);
    assertThat(response.text()).contains("WWW-Authenticate: Bearer realm=\"api\", error=\"invalid_request\", "
        + "error_description=\"The request carries more than one Authorization header.\"");
    assertThat(response.text()).contains("https://portico.dev/problems/unauthorized");
    assertThat(gateway.upstream.pollRequest()).isEmpty();
  }

  @Test
  void rejectsMalformedAuthorizationHeaderWithInvalidRequest() throws Exception {
    start(authenticator());

    for (String value : List.of("Bearer", "Bearer a.b.c d.e.f")) {
      ContentResponse response = gateway.get(h -> h.put(HttpHeader.AUTHORIZATION, value));

      assertThat(response.getStatus()).as(value).isEqualTo(401);
      assertThat(response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).as(value)
          .isEqualTo("Bearer realm=\"api\", error=\"invalid_request\", "
              + "error_description=\"The Authorization header is malformed: expected 'Bearer <token>'.\"");
    }
  }

  @Test
  void insufficientScopeAnswers403WithInsufficientScopeChallenge() throws Exception {
    start(authenticator());

    ContentResponse response = gateway.get(sign(rsa, claims(now()).claim("scope", "orders:write").build()));

    assertThat(response.getStatus()).isEqualTo(403);
    assertThat(response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE))
        .startsWith("Bearer error=\"insufficient_scope\"").contains("scope=\"orders:read\"");
    assertThat(JwtGateway.problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/forbidden");
    assertThat(gateway.upstream.pollRequest()).isEmpty();
  }

  @Test
  void readsTheTokenFromACookie() throws Exception {
    start(authenticator().tokenFromCookie("session"));
    String token = sign(rsa, claims(now()).build());

    assertThat(gateway.get(h -> h.put(HttpHeader.COOKIE, "theme=dark; session=" + token)).getStatus()).isEqualTo(200);
    assertThat(gateway.get(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + token)).getHeaders()
        .get(HttpHeader.WWW_AUTHENTICATE)).as("the Authorization header is not where this one looks")
        .isEqualTo("Bearer realm=\"api\"");
    assertThat(gateway.get(h -> h.put(HttpHeader.COOKIE, "session=" + token + "; session=" + token))
        .getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("error=\"invalid_request\"");
  }

  @Test
  void readsTheTokenFromAHeaderOfItsOwn() throws Exception {
    start(authenticator().tokenFromHeader("X-Access-Token"));
    String token = sign(ed25519, claims(now()).build());

    assertThat(gateway.get(h -> h.put("X-Access-Token", token)).getStatus()).isEqualTo(200);
    assertThat(gateway.get(h -> h.put("X-Access-Token", tamperSignature(token))).getStatus()).isEqualTo(401);
  }

  @Test
  void requiredClaimsMustBePresent() throws Exception {
    start(authenticator().requiredClaims("tenant"));

    ContentResponse without = gateway.get(sign(rsa, claims(now()).build()));
    ContentResponse with = gateway.get(sign(rsa, claims(now()).claim("tenant", "acme").build()));

    assertThat(without.getStatus()).isEqualTo(401);
    assertThat(without.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token lacks the required claim 'tenant'.");
    assertThat(with.getStatus()).isEqualTo(200);
  }

  @Test
  void clockSkewToleratesSlightlyExpiredTokens() throws Exception {
    start(authenticator().clockSkew(Duration.ofSeconds(30)));
    Instant now = now();

    ContentResponse within = gateway.get(sign(rsa, claims(now).expirationTime(Date.from(now.minusSeconds(20))).build()));
    ContentResponse beyond = gateway.get(sign(rsa, claims(now).expirationTime(Date.from(now.minusSeconds(40))).build()));

    assertThat(within.getStatus()).isEqualTo(200);
    assertThat(beyond.getStatus()).isEqualTo(401);
  }

  @Test
  void hmacSecretVerifiesHs256AndNothingElse() throws Exception {
    byte[] secret = "a shared secret of at least 32 bytes!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    start(JwtAuthenticator.builder().hmacSecret(secret).issuer(ISSUER).audience(AUDIENCE).clock(clock));

    ContentResponse good = gateway.get(TestTokens.signHmac(secret, new JWSHeader(JWSAlgorithm.HS256), claims(now()).build()));
    ContentResponse rsaSigned = gateway.get(sign(rsa, claims(now()).build()));
    ContentResponse otherSecret = gateway.get(TestTokens.signHmac("another secret, also 32 bytes long".getBytes(
        java.nio.charset.StandardCharsets.UTF_8), new JWSHeader(JWSAlgorithm.HS256), claims(now()).build()));

    assertThat(good.getStatus()).isEqualTo(200);
    assertThat(rsaSigned.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's algorithm is not accepted.");
    assertThat(otherSecret.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's signature is invalid.");
  }

  @Test
  void localJwkSetNeedsNoFetch() throws Exception {
    start(JwtAuthenticator.builder().jwkSet(TestTokens.jwks(ec)).issuer(ISSUER).audience(AUDIENCE).clock(clock));

    assertThat(gateway.get(sign(ec, claims(now()).build())).getStatus()).isEqualTo(200);
    assertThat(gateway.get(sign(rsa, claims(now()).build())).getStatus()).isEqualTo(401);
    assertThat(keyServer.jwksHits()).isZero();
  }

  private static String signRaw(RSAKey key, String payload) {
    try {
      JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), new Payload(payload));
      jws.sign(new RSASSASigner(key));
      return jws.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] rsaPublicKeyBytes() {
    try {
      return rsa.toRSAPublicKey().getEncoded();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Changes one character in the middle of the signature, keeping it canonical base64url. */
  static String tamperSignature(String token) {
    int i = token.lastIndexOf('.') + 10;
    char replacement = token.charAt(i) == 'A' ? 'B' : 'A';
    return token.substring(0, i) + replacement + token.substring(i + 1);
  }
}
