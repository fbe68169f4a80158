package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The FakeIdentityProvider as a development issuer: its {@code POST /token} is off unless asked
 * for, mints tokens a real JwtAuthenticator accepts through a real gateway, refuses what it cannot
 * mint, and the command line starts it on the port given.
 */
class DevelopmentTokenEndpointTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static HttpResponse<String> post(String uri, String form) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(URI uri, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theTokenEndpointIsOffUnlessAskedFor() throws Exception {
    try (FakeIdentityProvider idp = FakeIdentityProvider.start()) {
      HttpResponse<String> response = post(idp.issuer() + "/token", "sub=alice");

      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(idp.tokenEndpoint()).isEmpty();
      assertThat(get(URI.create(idp.discoveryUri()), null).body()).doesNotContain("token_endpoint");
    }
  }

  @Test
  void aMintedTokenOpensAJwtRouteOnlyWithTheScopeItNeeds() throws Exception {
    try (FakeIdentityProvider idp = FakeIdentityProvider.builder().tokenEndpoint("orders-api").start();
         FakeUpstream orders = FakeUpstream.start();
         JwtAuthenticator jwt = JwtAuthenticator.builder().issuer(idp.issuer()).audience("orders-api").build();
         GatewayServer server = GatewayServer.start(Gateway.builder()
             .route("orders", r -> r.path("/api/orders/**").authenticator(jwt)
                 .authorize(AccessRule.scopes("orders:read"))
                 .identityForwarding(IdentityForwarding.headersOnly())
                 .upstream(orders.uri()))
             .build())) {
      String endpoint = idp.tokenEndpoint().orElseThrow();
      assertThat(get(URI.create(idp.discoveryUri()), null).body()).contains("\"token_endpoint\":\"" + endpoint + "\"");

      HttpResponse<String> minted = post(endpoint, "sub=alice&scope=orders%3Aread+profile");
      HttpResponse<String> withoutScope = post(endpoint, "sub=bob");

      assertThat(minted.statusCode()).isEqualTo(200);
      assertThat(minted.headers().firstValue("Cache-Control")).hasValue("no-store");
      String token = minted.body().strip();
      JWTClaimsSet claims = SignedJWT.parse(token).getJWTClaimsSet();
      assertThat(claims.getIssuer()).isEqualTo(idp.issuer());
      assertThat(claims.getAudience()).containsExactly("orders-api");
      assertThat(claims.getStringClaim("scope")).isEqualTo("orders:read profile");
      assertThat(claims.getExpirationTime().toInstant()).isBetween(Instant.now().plusSeconds(240), Instant.now().plusSeconds(301));
      assertThat(get(server.uri("/api/orders/7"), token).statusCode()).isEqualTo(200);
      assertThat(orders.awaitRequests(1, Duration.ofSeconds(5)).get(0).header("X-Auth-Subject")).hasValue("alice");
      assertThat(get(server.uri("/api/orders/7"), withoutScope.body().strip()).statusCode()).isEqualTo(403);
      assertThat(orders.requestCount()).isEqualTo(1);
    }
  }

  @Test
  void theFormMayNameTheAudienceAndTheLifetime() throws Exception {
    try (FakeIdentityProvider idp = FakeIdentityProvider.builder().tokenEndpoint("orders-api").start()) {
      HttpResponse<String> minted = post(idp.tokenEndpoint().orElseThrow(), "sub=carol&aud=billing-api&expires_in=60");

      JWTClaimsSet claims = SignedJWT.parse(minted.body().strip()).getJWTClaimsSet();
      assertThat(claims.getAudience()).containsExactly("billing-api");
      assertThat(claims.getExpirationTime().toInstant()).isBefore(Instant.now().plusSeconds(61));
      assertThat(claims.getClaims()).doesNotContainKey("scope");
    }
  }

  @Test
  void refusesWhatItCannotMintWith400AndOtherMethodsWith405() throws Exception {
    try (FakeIdentityProvider idp = FakeIdentityProvider.builder().tokenEndpoint("orders-api").start()) {
      String endpoint = idp.tokenEndpoint().orElseThrow();

      assertThat(post(endpoint, "scope=orders%3Aread")).satisfies(r -> {
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("sub is missing");
      });
      assertThat(post(endpoint, "sub=al%0Aice").statusCode()).isEqualTo(400);
      assertThat(post(endpoint, "sub=alice&scope=%22%7D").statusCode()).isEqualTo(400);
      assertThat(post(endpoint, "sub=alice&expires_in=0").statusCode()).isEqualTo(400);
      assertThat(post(endpoint, "sub=alice&expires_in=9999999").statusCode()).isEqualTo(400);
      HttpResponse<String> get = get(URI.create(endpoint), null);
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }
  }

  @Test
  void theCommandLineStartsItOnThePortGivenWithItsTokenEndpoint() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    try (FakeIdentityProvider idp = FakeIdentityProvider.startForDevelopment(
        new String[] {"--port", String.valueOf(port), "--audience", "orders-api"})) {
      assertThat(idp.issuer()).isEqualTo("http://127.0.0.1:" + port);
      assertThat(idp.tokenEndpoint()).hasValue("http://127.0.0.1:" + port + "/token");
      assertThat(post(idp.tokenEndpoint().orElseThrow(), "sub=alice").statusCode()).isEqualTo(200);
      assertThat(idp.developmentUsage()).contains("FOR DEVELOPMENT ONLY").contains(idp.issuer())
          .contains("curl -s -d sub=alice -d scope=orders:read http://127.0.0.1:" + port + "/token");
    }
  }

  @Test
  void theCommandLineNeedsAnAudienceAndKnownArguments() {
    assertThatThrownBy(() -> FakeIdentityProvider.startForDevelopment(new String[] {"--port", "8090"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--audience");
    assertThatThrownBy(() -> FakeIdentityProvider.startForDevelopment(new String[] {"--audience", "a", "--host", "0.0.0.0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--host");
    assertThatThrownBy(() -> FakeIdentityProvider.builder().port(70_000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FakeIdentityProvider.builder().tokenEndpoint(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
