package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A FakeIdentityProvider trusted by a real JwtAuthenticator in a real gateway: its tokens pass, its
 * key rotation, outage and slowness show the way a real provider's would, and a shared TestClock
 * expires its tokens without waiting.
 */
class FakeIdentityProviderTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private TestClock clock;
  private FakeIdentityProvider idp;
  private FakeUpstream upstream;
  private JwtAuthenticator jwt;
  private GatewayServer server;

  @BeforeEach
  void start() throws Exception {
    clock = TestClock.atNow();
    idp = FakeIdentityProvider.builder().clock(clock).start();
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (jwt != null) {
      jwt.close();
    }
    upstream.close();
    idp.close();
  }

  private void gateway(Consumer<JwtAuthenticator.Builder> settings) throws Exception {
    JwtAuthenticator.Builder builder = JwtAuthenticator.builder().issuer(idp.issuer()).audience("orders-api").clock(clock);
    settings.accept(builder);
    jwt = builder.build();
    server = GatewayServer.start(Gateway.builder()
        .route("orders", r -> r.path("/api/**").authenticator(jwt).upstream(upstream.uri())).build());
  }

  private HttpResponse<String> call(String token) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(server.uri("/api/orders")).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @EnumSource(value = TokenAlgorithm.class, names = {"RS256", "ES256", "EdDSA"})
  void tokensOfEachPublicKeyAlgorithmPassAGatewayThatFoundTheKeysByDiscovery(TokenAlgorithm algorithm) throws Exception {
    gateway(b -> {});

    HttpResponse<String> response = call(idp.token().audience("orders-api").algorithm(algorithm).sign());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(idp.discoveryRequests()).isEqualTo(1);
    assertThat(idp.jwksRequests()).isEqualTo(1);
  }

  @Test
  void hs256TokensPassAGatewayKeyedWithTheSecretAndPublicKeyTokensDoNot() throws Exception {
    jwt = JwtAuthenticator.builder().hmacSecret(idp.hmacSecret()).issuer(idp.issuer()).audience("orders-api").build();
    server = GatewayServer.start(Gateway.builder()
        .route("orders", r -> r.path("/api/**").authenticator(jwt).upstream(upstream.uri())).build());

    assertThat(call(idp.token().audience("orders-api").algorithm(TokenAlgorithm.HS256).sign()).statusCode()).isEqualTo(200);
    for (TokenAlgorithm publicKey : new TokenAlgorithm[] {TokenAlgorithm.RS256, TokenAlgorithm.ES256, TokenAlgorithm.EdDSA}) {
      assertThat(call(idp.token().audience("orders-api").algorithm(publicKey).sign()).statusCode()).as("%s", publicKey).isEqualTo(401);
    }
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void theJwkSetPublishesPublicKeysOnlyAndNeverTheSecret() {
    String jwks = idp.publicJwks();

    assertThat(jwks).contains(idp.keyId(TokenAlgorithm.RS256), idp.keyId(TokenAlgorithm.ES256), idp.keyId(TokenAlgorithm.EdDSA))
        .doesNotContain("\"d\"").doesNotContain("\"p\"").doesNotContain("\"oct\"")
        .doesNotContain(Base64URL.encode(idp.hmacSecret()).toString());
  }

  @Test
  void aTokenExpiresWhenTheSharedClockPassesItsExpiry() throws Exception {
    gateway(b -> b.clockSkew(Duration.ZERO).tokenCacheSize(0));
    String token = idp.token().audience("orders-api").expiresIn(Duration.ofMinutes(5)).sign();

    int fresh = call(token).statusCode();
    clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    HttpResponse<String> expired = call(token);

    assertThat(fresh).isEqualTo(200);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(c -> assertThat(c).contains("expired"));
  }

  @Test
  void rotatedKeysAreFetchedOnFirstSightAndOldTokensPassUntilTheOldKeysAreRetired() throws Exception {
    gateway(b -> b.tokenCacheSize(0));
    String before = idp.token().audience("orders-api").sign();
    assertThat(call(before).statusCode()).isEqualTo(200);

    idp.rotateKeys();                                        // right after the gateway's first fetch
    String after = idp.token().audience("orders-api").sign();

    assertThat(idp.keyId(TokenAlgorithm.RS256)).isEqualTo("rs256-2");
    assertThat(call(after).statusCode()).as("the first token under the new kid").isEqualTo(200);
    assertThat(idp.jwksRequests()).isEqualTo(2);
    assertThat(idp.discoveryRequests()).isEqualTo(1);
    assertThat(call(before).statusCode()).as("a token under the old kid, still published").isEqualTo(200);

    idp.retireOldKeys();
    assertThat(idp.publicJwks()).doesNotContain("rs256-1").contains("rs256-2");
  }

  @Test
  void aFloodOfMadeUpKeyIdsCostsTheProviderOneFetch() throws Exception {
    gateway(b -> {});
    assertThat(call(idp.token().audience("orders-api").sign()).statusCode()).isEqualTo(200);

    List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String token = idp.token().audience("orders-api").keyId("made-up-" + UUID.randomUUID()).sign();
      flood.add(CLIENT.sendAsync(HttpRequest.newBuilder(server.uri("/api/orders")).header("Authorization", "Bearer " + token)
          .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    for (CompletableFuture<HttpResponse<String>> response : flood) {
      assertThat(response.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
    }
    assertThat(idp.jwksRequests()).as("the first fetch, and one for the whole flood").isEqualTo(2);
    assertThat(idp.discoveryRequests()).isEqualTo(1);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @Test
  void aProviderThatIsDownGets503FromTheGatewayAndServesAgainWhenUp() throws Exception {
    gateway(b -> {});
    idp.down();

    HttpResponse<String> down = call(idp.token().audience("orders-api").sign());
    idp.up();
    clock.advance(Duration.ofSeconds(31));
    HttpResponse<String> up = call(idp.token().audience("orders-api").sign());

    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.headers().firstValue("Retry-After")).isPresent();
    assertThat(up.statusCode()).isEqualTo(200);
  }

  @Test
  void aSlowProviderMakesTheGatewayGiveUpAfterItsFetchTimeout() throws Exception {
    gateway(b -> b.fetchTimeout(Duration.ofMillis(300)));
    idp.delay(Duration.ofSeconds(5));
    long start = System.nanoTime();

    HttpResponse<String> response = call(idp.token().audience("orders-api").sign());

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void tokensCarryTheChosenClaimsKidAndCustomHeader() throws Exception {
    String token = idp.token().subject("bob").audience("a", "b").claim("scope", "orders:read").keyId("chosen")
        .header("typ2", "x").sign();

    SignedJWT parsed = SignedJWT.parse(token);
    assertThat(parsed.getHeader().getKeyID()).isEqualTo("chosen");
    assertThat(parsed.getHeader().getCustomParam("typ2")).isEqualTo("x");
    assertThat(parsed.getJWTClaimsSet().getSubject()).isEqualTo("bob");
    assertThat(parsed.getJWTClaimsSet().getAudience()).containsExactly("a", "b");
    assertThat(parsed.getJWTClaimsSet().getIssuer()).isEqualTo(idp.issuer());
    assertThat(parsed.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
    assertThatThrownBy(() -> idp.token().header("alg", "none")).isInstanceOf(IllegalArgumentException.class);
  }
}
