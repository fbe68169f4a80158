package dev.portico.gateway.auth.jwt;

import static dev.portico.gateway.auth.jwt.TestTokens.AUDIENCE;
import static dev.portico.gateway.auth.jwt.TestTokens.ISSUER;
import static dev.portico.gateway.auth.jwt.TestTokens.claims;
import static dev.portico.gateway.auth.jwt.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.test.TestClock;
import dev.portico.gateway.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The remote key set: fetching, sharing one fetch, refreshing, rotation, unknown-kid floods,
 * outages, and OpenID Connect discovery, each against a real JWK set endpoint that counts its hits.
 */
class JwtKeySetTest {
  private static RSAKey rsa;
  private static RSAKey rotated;
  private static ECKey ec;

  private final TestClock clock = TestClock.atNow();
  private KeyServer keyServer;
  private JwtAuthenticator jwt;
  private JwtGateway gateway;

  @BeforeAll
  static void generateKeys() {
    rsa = TestTokens.rsa("rsa-1");
    rotated = TestTokens.rsa("rsa-2");
    ec = TestTokens.ec("ec-1");
  }

  @BeforeEach
  void startKeyServer() throws Exception {
    keyServer = KeyServer.start().serve(TestTokens.jwks(rsa, ec));
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

  private void start(JwtAuthenticator.Builder builder) throws Exception {
    jwt = builder.build();
    gateway = JwtGateway.start(jwt);
  }

  private JwtAuthenticator.Builder remote() {
    return JwtAuthenticator.builder().jwksUri(keyServer.jwksUri()).issuer(ISSUER).audience(AUDIENCE).clock(clock);
  }

  private String token(RSAKey key) {
    return sign(key, claims(clock.instant()).build());
  }

  @Test
  void concurrentFirstRequestsShareOneFetch() throws Exception {
    start(remote());
    keyServer.hold();
    List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(gateway.send(sign(i % 2 == 0 ? rsa : ec, claims(clock.instant()).subject("user-" + i).build())));
    }

    assertThat(keyServer.awaitJwksHits(1)).isTrue();
    keyServer.release();

    for (CompletableFuture<ContentResponse> response : responses) {
      assertThat(response.get(15, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    }
    assertThat(keyServer.jwksHits()).isEqualTo(1);
  }

  @Test
  void keysAreCachedAndRefreshedInTheBackgroundAfterTheTtl() throws Exception {
    start(remote().cacheTtl(Duration.ofMinutes(5)));

    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(6));
    keyServer.serve(TestTokens.jwks(rsa, rotated));
    assertThat(gateway.get(token(rsa)).getStatus()).as("served from the old keys while refreshing").isEqualTo(200);
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    assertThat(gateway.get(token(rotated)).getStatus()).as("the refreshed keys").isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);
  }

  @Test
  void keyRotatedInRightAfterTheFirstFetchIsAcceptedOnFirstSightWithOneMoreFetch() throws Exception {
    start(remote());
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    keyServer.serve(TestTokens.jwks(rsa, rotated)); // the provider rotates a second later

    ContentResponse first = gateway.get(token(rotated));

    assertThat(first.getStatus()).as("the first token signed with the new key").isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);
    assertThat(gateway.get(token(rotated)).getStatus()).isEqualTo(200);
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).as("no fetch for keys already known").isEqualTo(2);
  }

  @Test
  void keyRotatedInRightAfterABackgroundRefreshIsAcceptedOnFirstSight() throws Exception {
    start(remote().cacheTtl(Duration.ofMinutes(5)));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(6));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200); // starts the refresh
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    keyServer.serve(TestTokens.jwks(rsa, rotated));

    ContentResponse first = gateway.get(token(rotated));

    assertThat(first.getStatus()).as("a refresh for age does not hold back the fetch for a new key").isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(3);
  }

  @Test
  void anotherUnknownKeyWithinTheIntervalIsRefusedUntilTheIntervalHasPassed() throws Exception {
    RSAKey third = TestTokens.rsa("rsa-3");
    start(remote().minRefreshInterval(Duration.ofSeconds(30)));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    keyServer.serve(TestTokens.jwks(rsa, rotated));
    assertThat(gateway.get(token(rotated)).getStatus()).isEqualTo(200); // an unknown key's fetch
    keyServer.serve(TestTokens.jwks(rsa, rotated, third));

    ContentResponse tooSoon = gateway.get(token(third));

    assertThat(tooSoon.getStatus()).as("29 s at most after the last fetch an unknown key caused").isEqualTo(401);
    assertThat(tooSoon.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's signing key is unknown.");
    assertThat(keyServer.jwksHits()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(30));
    assertThat(gateway.get(token(third)).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(3);
  }

  @Test
  void concurrentRequestsWithANewKeyShareOneFetch() throws Exception {
    start(remote());
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    keyServer.serve(TestTokens.jwks(rsa, rotated)).hold();

    List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      responses.add(gateway.send(sign(rotated, claims(clock.instant()).subject("user-" + i).build())));
    }
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    keyServer.release();

    for (CompletableFuture<ContentResponse> response : responses) {
      assertThat(response.get(15, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    }
    assertThat(keyServer.jwksHits()).as("the first fetch, and one for all 20 requests").isEqualTo(2);
  }

  @Test
  void unknownKeyThatJoinedTheFirstFetchAndWasNotInItFetchesOnceMore() throws Exception {
    start(remote());
    keyServer.hold();
    CompletableFuture<ContentResponse> pending = gateway.send(token(rotated));
    assertThat(keyServer.awaitJwksHits(1)).isTrue();
    keyServer.serve(TestTokens.jwks(rsa, rotated)); // published while the first answer was on its way
    keyServer.release();

    assertThat(pending.get(15, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);
  }

  @Test
  void keyDroppedFromTheSetStopsVouchingEvenForCachedTokens() throws Exception {
    start(remote());
    String old = token(rsa);
    assertThat(gateway.get(old).getStatus()).isEqualTo(200);

    keyServer.serve(TestTokens.jwks(rotated));
    assertThat(gateway.get(token(rotated)).getStatus()).isEqualTo(200); // fetches the rotated set

    ContentResponse response = gateway.get(old);
    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's signing key is unknown.");
  }

  @Test
  void floodOfUnknownKidsCausesAtMostOneFetchPerInterval() throws Exception {
    start(remote());
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    keyServer.hold();

    List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      responses.add(gateway.send(token(madeUpKid())));
    }
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    keyServer.release();

    for (CompletableFuture<ContentResponse> response : responses) {
      ContentResponse r = response.get(15, TimeUnit.SECONDS);
      assertThat(r.getStatus()).as("a kid still unknown after the fetch").isEqualTo(401);
      assertThat(r.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's signing key is unknown.");
    }
    assertThat(keyServer.jwksHits()).as("the first fetch, and one for the whole flood").isEqualTo(2);

    for (int i = 0; i < 20; i++) { // and the flood goes on after the fetch
      assertThat(gateway.get(token(madeUpKid())).getStatus()).isEqualTo(401);
    }
    assertThat(keyServer.jwksHits()).isEqualTo(2);
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(30)); // the next interval: one more fetch for the next flood
    for (int i = 0; i < 20; i++) {
      assertThat(gateway.get(token(madeUpKid())).getStatus()).isEqualTo(401);
    }
    assertThat(keyServer.jwksHits()).isEqualTo(3);
  }

  @Test
  void floodOfUnknownKidsOnAColdGatewayCostsTheFirstFetchAndOneMore() throws Exception {
    start(remote());
    keyServer.hold();

    List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      responses.add(gateway.send(token(madeUpKid())));
    }
    assertThat(keyServer.awaitJwksHits(1)).isTrue();
    keyServer.release();

    for (CompletableFuture<ContentResponse> response : responses) {
      assertThat(response.get(15, TimeUnit.SECONDS).getStatus()).isEqualTo(401);
    }
    assertThat(keyServer.jwksHits()).isEqualTo(2);
  }

  private static RSAKey madeUpKid() {
    return new RSAKey.Builder(rsa).keyID("random-" + UUID.randomUUID()).build();
  }

  @Test
  void endpointDownWithCachedKeysStillAcceptsTokensUntilTheGraceEnds() throws Exception {
    start(remote().outageGrace(Duration.ofHours(1)));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);

    keyServer.fail(500, "{\"error\":\"down for maintenance\"}");
    clock.advance(Duration.ofMinutes(10)); // past the TTL: a refresh is tried and fails
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    assertThat(gateway.get(sign(ec, claims(clock.instant()).build())).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);

    clock.advance(Duration.ofMinutes(51)); // 61 minutes after the last good fetch
    ContentResponse response = gateway.get(token(rsa));
    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(JwtGateway.problem(response).get("type").asString())
        .isEqualTo("https://portico.dev/problems/authentication-unavailable");
  }

  @Test
  void endpointUnreachableWithNoKeysAnswers503() throws Exception {
    int closedPort = dev.portico.gateway.testing.RefusingPort.reserve();
    start(JwtAuthenticator.builder().jwksUri("http://127.0.0.1:" + closedPort + "/jwks").clock(clock));

    ContentResponse response = gateway.get(token(rsa));

    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(response.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).isNull();
    assertThat(response.getHeaders().get(HttpHeader.RETRY_AFTER)).isNotNull();
    assertThat(JwtGateway.problem(response).get("type").asString())
        .isEqualTo("https://portico.dev/problems/authentication-unavailable");
    assertThat(response.getContentAsString()).doesNotContain(Integer.toString(closedPort));
    assertThat(gateway.upstream.requestCount()).isZero();
  }

  @Test
  void endpointReturningGarbageWithNoKeysAnswers503AndRecovers() throws Exception {
    keyServer.fail(200, "<html>this is not a JWK set</html>");
    start(remote());

    ContentResponse garbage = gateway.get(token(rsa));
    assertThat(garbage.getStatus()).isEqualTo(503);
    assertThat(JwtGateway.problem(garbage).get("type").asString())
        .isEqualTo("https://portico.dev/problems/authentication-unavailable");

    keyServer.fail(200, "{\"keys\":[]}");
    clock.advance(Duration.ofSeconds(31));
    assertThat(gateway.get(token(rsa)).getStatus()).as("a set without usable keys is no better").isEqualTo(503);

    ContentResponse retriedTooSoon = gateway.get(token(rsa));
    assertThat(retriedTooSoon.getStatus()).isEqualTo(503);
    assertThat(keyServer.jwksHits()).as("failures are retried once per minRefreshInterval").isEqualTo(2);

    keyServer.serve(TestTokens.jwks(rsa));
    clock.advance(Duration.ofSeconds(31));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(3);
  }

  @Test
  void endpointReturningGarbageKeepsTheLastGoodKeys() throws Exception {
    start(remote());
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);

    keyServer.fail(200, "{\"keys\":\"garbage\"}");
    clock.advance(Duration.ofMinutes(6));
    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(200);
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    assertThat(gateway.get(token(rsa)).getStatus()).as("after the failed refresh").isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);
  }

  @Test
  void oversizedKeySetIsRefused() throws Exception {
    keyServer.fail(200, "{\"keys\":[],\"padding\":\"" + "x".repeat(RemoteKeySource.MAX_JWKS_BYTES) + "\"}");
    start(remote());

    assertThat(gateway.get(token(rsa)).getStatus()).isEqualTo(503);
  }

  @Test
  void discoveryFindsTheKeySetFromTheIssuer() throws Exception {
    String issuer = keyServer.issuer();
    start(JwtAuthenticator.builder().issuer(issuer).audience(AUDIENCE).clock(clock));

    ContentResponse first = gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build()));
    ContentResponse second = gateway.get(sign(ec, claims(clock.instant()).issuer(issuer).build()));
    ContentResponse otherIssuer = gateway.get(token(rsa));

    assertThat(first.getStatus()).isEqualTo(200);
    assertThat(second.getStatus()).isEqualTo(200);
    assertThat(otherIssuer.getStatus()).isEqualTo(401);
    assertThat(otherIssuer.getHeaders().get(HttpHeader.WWW_AUTHENTICATE)).contains("The token's issuer is not accepted.");
    assertThat(keyServer.discoveryHits()).isEqualTo(1);
    assertThat(keyServer.jwksHits()).isEqualTo(1);
  }

  @Test
  void discoveredKeySetRotatedRightAfterTheFirstFetchIsAcceptedOnFirstSight() throws Exception {
    String issuer = keyServer.issuer();
    start(JwtAuthenticator.builder().issuer(issuer).audience(AUDIENCE).clock(clock));
    assertThat(gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build())).getStatus()).isEqualTo(200);
    keyServer.serve(TestTokens.jwks(rsa, rotated));

    ContentResponse first = gateway.get(sign(rotated, claims(clock.instant()).issuer(issuer).build()));

    assertThat(first.getStatus()).isEqualTo(200);
    assertThat(keyServer.jwksHits()).isEqualTo(2);
    assertThat(keyServer.discoveryHits()).as("the discovered jwks_uri is kept").isEqualTo(1);
  }

  @Test
  void floodOfUnknownKidsThroughDiscoveryCostsOneKeySetFetchAndNoDiscovery() throws Exception {
    String issuer = keyServer.issuer();
    start(JwtAuthenticator.builder().issuer(issuer).audience(AUDIENCE).clock(clock));
    assertThat(gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build())).getStatus()).isEqualTo(200);
    keyServer.hold();

    List<CompletableFuture<ContentResponse>> responses = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      responses.add(gateway.send(sign(madeUpKid(), claims(clock.instant()).issuer(issuer).build())));
    }
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    keyServer.release();

    for (CompletableFuture<ContentResponse> response : responses) {
      assertThat(response.get(15, TimeUnit.SECONDS).getStatus()).isEqualTo(401);
    }
    assertThat(keyServer.jwksHits()).isEqualTo(2);
    assertThat(keyServer.discoveryHits()).isEqualTo(1);
  }

  @Test
  void afterAFailedKeySetFetchTheNewKeysFetchDiscoversAgain() throws Exception {
    String issuer = keyServer.issuer();
    start(JwtAuthenticator.builder().issuer(issuer).audience(AUDIENCE).clock(clock).cacheTtl(Duration.ofMinutes(5)));
    assertThat(gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build())).getStatus()).isEqualTo(200);
    keyServer.fail(500, "{}");
    clock.advance(Duration.ofMinutes(6));
    assertThat(gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build())).getStatus())
        .as("the cached keys serve while the refresh fails").isEqualTo(200);
    assertThat(keyServer.awaitJwksHits(2)).isTrue();
    keyServer.serve(TestTokens.jwks(rsa, rotated));

    ContentResponse rotatedToken = gateway.get(sign(rotated, claims(clock.instant()).issuer(issuer).build()));

    assertThat(rotatedToken.getStatus()).as("a failed refresh does not hold back the fetch for a new key").isEqualTo(200);
    assertThat(keyServer.discoveryHits()).isEqualTo(2);
    assertThat(keyServer.jwksHits()).isEqualTo(3);
  }

  @Test
  void waitersGoOnAfterTheWaitLimitWhileTheFetchRunsOnAlone() throws Exception {
    keyServer.hold();
    RemoteKeySource source = RemoteKeySource.jwksUri(new JwksClient(Duration.ofSeconds(20)),
        java.net.URI.create(keyServer.jwksUri()), clock,
        new RemoteKeySource.Timing(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofMillis(200)));
    try {
      com.nimbusds.jose.JWSHeader header = new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
          .keyID("rsa-1").build();

      var first = source.keysFor(header).toCompletableFuture();
      assertThat(first.get(10, TimeUnit.SECONDS)).as("no keys yet: the caller answers 503").isEmpty();
      var second = source.keysFor(header).toCompletableFuture();
      assertThat(second.get(10, TimeUnit.SECONDS)).isEmpty();
      assertThat(keyServer.jwksHits()).as("one fetch, still held, for both").isEqualTo(1);

      keyServer.release();
      Await.until("the held fetch brings the keys",
          () -> source.keysFor(header).toCompletableFuture().getNow(Optional.empty()).isPresent());
      assertThat(keyServer.jwksHits()).as("the fetch went on alone; asking again started none").isEqualTo(1);
    } finally {
      source.close();
    }
  }

  @Test
  void discoveryDocumentNamingAnotherIssuerIsNotUsed() throws Exception {
    String issuer = keyServer.issuer();
    keyServer.discoveryIssuer("https://evil.example");
    start(JwtAuthenticator.builder().issuer(issuer).audience(AUDIENCE).clock(clock));

    ContentResponse response = gateway.get(sign(rsa, claims(clock.instant()).issuer(issuer).build()));

    assertThat(response.getStatus()).isEqualTo(503);
    assertThat(JwtGateway.problem(response).get("type").asString())
        .isEqualTo("https://portico.dev/problems/authentication-unavailable");
    assertThat(keyServer.discoveryHits()).isEqualTo(1);
    assertThat(keyServer.jwksHits()).as("the key set of a mismatched document is never fetched").isZero();
  }

  @Test
  void authenticateNeverBlocksWhileKeysAreFetched() throws Exception {
    jwt = remote().build();
    keyServer.hold();

    var stage = jwt.authenticate(new StubExchange(GatewayRequest.builder("GET", "/api/orders")
        .header("Authorization", "Bearer " + token(rsa)).build())).toCompletableFuture();

    assertThat(stage).as("returned before the key set arrived").isNotDone();
    assertThat(keyServer.awaitJwksHits(1)).isTrue();
    keyServer.release();
    assertThat(stage.get(10, TimeUnit.SECONDS).kind()).isEqualTo(AuthResult.Kind.AUTHENTICATED);
  }

  @Test
  void clientThreadsAreDaemonsAndCloseStopsThem() throws Exception {
    jwt = remote().build();
    assertThat(jwt.authenticate(new StubExchange(GatewayRequest.builder("GET", "/api/orders")
        .header("Authorization", "Bearer " + token(rsa)).build())).toCompletableFuture().get(10, TimeUnit.SECONDS).kind())
        .isEqualTo(AuthResult.Kind.AUTHENTICATED);
    assertThat(jwksThreads()).isNotEmpty().allMatch(Thread::isDaemon);

    List<Thread> threads = jwksThreads();
    jwt.close();

    for (Thread thread : threads) {
      thread.join(10_000);
    }
    assertThat(threads).filteredOn(Thread::isAlive).isEmpty();
    clock.advance(Duration.ofSeconds(31));
    AuthResult afterClose = jwt.authenticate(new StubExchange(GatewayRequest.builder("GET", "/api/orders")
        .header("Authorization", "Bearer " + sign(TestTokens.rsa("rsa-new"), claims(clock.instant()).build())).build()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(afterClose.kind()).isEqualTo(AuthResult.Kind.REJECTED);
    assertThat(keyServer.jwksHits()).as("a closed authenticator fetches nothing").isEqualTo(1);
  }

  private static List<Thread> jwksThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("portico-jwks")).toList();
  }
}
