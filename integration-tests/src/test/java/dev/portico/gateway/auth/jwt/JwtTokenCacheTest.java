package dev.portico.gateway.auth.jwt;

import static dev.portico.gateway.auth.jwt.TestTokens.AUDIENCE;
import static dev.portico.gateway.auth.jwt.TestTokens.ISSUER;
import static dev.portico.gateway.auth.jwt.TestTokens.claims;
import static dev.portico.gateway.auth.jwt.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.test.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verified-token cache: hits skip signature verification, but never the clock. */
class JwtTokenCacheTest {
  private static ECKey ec;

  private final TestClock clock = TestClock.atNow();
  private JwtAuthenticator jwt;
  private JwtGateway gateway;

  @BeforeAll
  static void generateKeys() {
    ec = TestTokens.ec("ec-1");
  }

  @AfterEach
  void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
      jwt.close();
    }
  }

  private void start(JwtAuthenticator.Builder builder) throws Exception {
    jwt = builder.jwkSet(TestTokens.jwks(ec)).issuer(ISSUER).audience(AUDIENCE).clock(clock).build();
    gateway = JwtGateway.start(jwt);
  }

  @Test
  void secondRequestWithTheSameTokenSkipsSignatureVerification() throws Exception {
    start(JwtAuthenticator.builder());
    String token = sign(ec, claims(clock.instant()).build());

    assertThat(gateway.get(token).getStatus()).isEqualTo(200);
    assertThat(jwt.signatureVerifications()).isEqualTo(1);
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);

    assertThat(jwt.signatureVerifications()).isEqualTo(1);
    assertThat(gateway.upstream.requestCount()).isEqualTo(3);
  }

  @Test
  void cachedTokenIsRejectedOnceItExpires() throws Exception {
    start(JwtAuthenticator.builder());
    Instant now = clock.instant();
    String token = sign(ec, claims(now).expirationTime(Date.from(now.plusSeconds(120))).build());
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(120 + 59)); // within the 60 s skew
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);
    clock.advance(Duration.ofSeconds(1));
    ContentResponse expired = gateway.get(token);

    assertThat(expired.getStatus()).isEqualTo(401);
    assertThat(expired.getHeaders().get(HttpHeader.WWW_AUTHENTICATE))
        .isEqualTo("Bearer realm=\"api\", error=\"invalid_token\", error_description=\"The token has expired.\"");
    assertThat(jwt.signatureVerifications()).as("decided from the cache entry").isEqualTo(1);
  }

  @Test
  void differentTokensAreVerifiedEach() throws Exception {
    start(JwtAuthenticator.builder());

    gateway.get(sign(ec, claims(clock.instant()).subject("alice").build()));
    gateway.get(sign(ec, claims(clock.instant()).subject("bob").build()));

    assertThat(jwt.signatureVerifications()).isEqualTo(2);
  }

  @Test
  void tamperedCopyOfACachedTokenIsStillVerified() throws Exception {
    start(JwtAuthenticator.builder());
    String token = sign(ec, claims(clock.instant()).build());
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);

    assertThat(gateway.get(JwtAuthenticatorTest.tamperSignature(token)).getStatus()).isEqualTo(401);
    assertThat(jwt.signatureVerifications()).isEqualTo(2);
  }

  @Test
  void copyOfACachedTokenWithOneLetterInAnotherCaseIsVerifiedAndRefused() throws Exception {
    start(JwtAuthenticator.builder());
    String token = sign(ec, claims(clock.instant()).build());
    int letter = token.lastIndexOf('.') + 1;
    while (!Character.isLowerCase(token.charAt(letter))) {
      letter++;
    }
    String other = token.substring(0, letter) + Character.toUpperCase(token.charAt(letter))
        + token.substring(letter + 1);
    assertThat(gateway.get(token).getStatus()).isEqualTo(200);

    // Same connection: Jetty's header cache, left to match ignoring case, would hand over the first token.
    assertThat(gateway.get(other).getStatus()).isEqualTo(401);
    assertThat(jwt.signatureVerifications()).isEqualTo(2);
  }

  @Test
  void sizeZeroVerifiesEveryRequest() throws Exception {
    start(JwtAuthenticator.builder().tokenCacheSize(0));
    String token = sign(ec, claims(clock.instant()).build());

    gateway.get(token);
    gateway.get(token);

    assertThat(jwt.signatureVerifications()).isEqualTo(2);
  }

  @Test
  void cacheIsBoundedAndKeepsRecentlyUsedEntries() {
    VerifiedTokenCache cache = new VerifiedTokenCache(64);
    Identity identity = Identity.builder("alice").build();
    Instant exp = Instant.now().plusSeconds(300);
    VerifiedTokenCache.Digest kept = VerifiedTokenCache.digest("token-kept");
    cache.put(kept, new VerifiedTokenCache.Entry(identity, exp, null, "thumb"));

    for (int i = 0; i < 10_000; i++) {
      cache.put(VerifiedTokenCache.digest("token-" + i), new VerifiedTokenCache.Entry(identity, exp, null, "thumb"));
      assertThat(cache.get(kept)).isNotNull(); // used all the time, so never the eldest
    }

    assertThat(cache.size()).isEqualTo(64);
    assertThat(cache.get(VerifiedTokenCache.digest("token-0"))).isNull();
    assertThat(cache.get(VerifiedTokenCache.digest("token-9999"))).isNotNull();
  }
}
