package dev.portico.gateway.auth.jwt;

import static dev.portico.gateway.auth.jwt.TestTokens.AUDIENCE;
import static dev.portico.gateway.auth.jwt.TestTokens.ISSUER;
import static dev.portico.gateway.auth.jwt.TestTokens.claims;
import static dev.portico.gateway.auth.jwt.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.TestClock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens without {@code sub}: refused by default; with {@code requireSubject(false)} the identity's
 * subject is {@code client_id}, else {@code azp}, and a token with none of them is still refused.
 * On a real gateway whose upstream receives the subject as {@code X-Auth-Subject}.
 */
class JwtSubjectTest {
  private static RSAKey rsa;

  private final TestClock clock = TestClock.atNow();
  private final AtomicReference<Identity> seen = new AtomicReference<>();
  private KeyServer keyServer;
  private JwtAuthenticator jwt;
  private JwtGateway gateway;

  @BeforeAll
  static void generateKeys() {
    rsa = TestTokens.rsa("rsa-1");
  }

  @BeforeEach
  void startKeyServer() throws Exception {
    keyServer = KeyServer.start().serve(TestTokens.jwks(rsa));
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

  private void start(boolean requireSubject) throws Exception {
    jwt = JwtAuthenticator.builder().jwksUri(keyServer.jwksUri()).issuer(ISSUER).audience(AUDIENCE).clock(clock)
        .requireSubject(requireSubject).build();
    gateway = JwtGateway.start(jwt, r -> r.identityForwarding(IdentityForwarding.headersOnly()).filter((exchange, chain) -> {
      seen.set(exchange.identity().orElseThrow());
      return chain.proceed(exchange);
    }));
  }

  private String token(Map<String, Object> extra) {
    JWTClaimsSet.Builder claims = claims(clock.instant()).subject(null);
    extra.forEach(claims::claim);
    return sign(rsa, claims.build());
  }

  @Test
  void byDefaultATokenWithoutSubIsRefusedEvenWithAClientId() throws Exception {
    start(true);

    ContentResponse response = gateway.get(token(Map.of("client_id", "billing-batch", "azp", "billing-batch")));

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().getValuesList(HttpHeader.WWW_AUTHENTICATE)).containsExactly(
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token has no subject (sub).\"");
    assertThat(JwtGateway.problem(response).get("type").asString()).isEqualTo("https://portico.dev/problems/unauthorized");
    assertThat(gateway.upstream.pollRequest()).isEmpty();
  }

  @Test
  void withoutARequiredSubjectTheClientIdIsTheSubject() throws Exception {
    start(false);

    ContentResponse response = gateway.get(token(Map.of("client_id", "billing-batch")));

    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = gateway.upstream.takeRequest();
    assertThat(received.headerValues("X-Auth-Subject")).containsExactly("billing-batch");
    assertThat(seen.get().subject()).isEqualTo("billing-batch");
    assertThat(seen.get().claim("sub")).as("no sub claim is made up").isEmpty();
    assertThat(seen.get().claim("client_id")).contains("billing-batch");
  }

  @Test
  void withoutARequiredSubjectAndWithoutClientIdTheAzpIsTheSubject() throws Exception {
    start(false);

    ContentResponse response = gateway.get(token(Map.of("azp", "reports-cron")));

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(gateway.upstream.takeRequest().headerValues("X-Auth-Subject")).containsExactly("reports-cron");
  }

  @Test
  void clientIdComesBeforeAzpAndSubBeforeBoth() throws Exception {
    start(false);

    assertThat(gateway.get(token(Map.of("client_id", "from-client-id", "azp", "from-azp"))).getStatus()).isEqualTo(200);
    assertThat(seen.get().subject()).isEqualTo("from-client-id");
    assertThat(gateway.get(token(Map.of("sub", "alice", "client_id", "from-client-id", "azp", "from-azp"))).getStatus())
        .isEqualTo(200);
    assertThat(seen.get().subject()).isEqualTo("alice");
  }

  @Test
  void blankOrNonStringValuesDoNotCountAsASubject() throws Exception {
    start(false);

    assertThat(gateway.get(token(Map.of("sub", " ", "client_id", 42L, "azp", "reports-cron"))).getStatus()).isEqualTo(200);
    assertThat(seen.get().subject()).isEqualTo("reports-cron");
  }

  @Test
  void withoutARequiredSubjectATokenWithNoSubClientIdOrAzpIsRefused() throws Exception {
    start(false);

    ContentResponse response = gateway.get(token(Map.of("client_id", "", "azp", Map.of("id", "x"))));

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaders().getValuesList(HttpHeader.WWW_AUTHENTICATE)).containsExactly(
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token has no subject (sub, client_id or azp).\"");
    assertThat(JwtGateway.problem(response).get("detail").asString()).isEqualTo("The token has no subject (sub, client_id or azp).");
    assertThat(gateway.upstream.pollRequest()).isEmpty();
  }
}
