package dev.portico.gateway.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Challenge;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link JwtAuthenticator#authenticate} on arbitrary {@code Authorization} header values, with a
 * local JWK set holding one real RSA key: it never throws, completes at once, never answers 503
 * (the keys are local), refuses everything it does not accept with a {@code Bearer} challenge
 * carrying {@code invalid_token} or {@code invalid_request} (401), passes other schemes on as "no
 * credentials", and accepts only a token whose RS256 signature this test verifies on its own with
 * the JDK, every part spelled in canonical unpadded base64url.
 *
 * <p>The seeds under {@code JwtAuthenticatorFuzzTestInputs} are header values: a valid token for
 * the fixed clock (signed once with the private half of {@link #JWKS}, which is not kept), the same
 * with a lower-case scheme, expired, wrong audience, unknown {@code kid}, {@code alg: none}, HS256
 * keyed with the public JWK set, a broken signature, a JWE shape, Basic, and malformed Bearer
 * values. In the normal test run they are replayed. To fuzz (for the annotation's 2 minutes):
 * {@code JAZZER_FUZZ=1 mvn -B -pl gateway-impl -am test -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=JwtAuthenticatorFuzzTest}. Findings are written next to the seeds as {@code crash-*} and
 * replay from then on.
 */
class JwtAuthenticatorFuzzTest {
  static final String JWKS = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"fuzz-rsa\",\"alg\":\"RS256\",\"use\":\"sig\","
      + "\"n\":\"x8O0xbeHDh8KiOEqhGQHz2cwxCvQu8DFGSZsZwRS8wqXf54kfrLV88reyW3PcNB0T24km6iEb0kSxhnPytQtll4IaSLKVvyz2y_6tzMm"
      + "iCr4DoIS1cxGV-D7gIeP1BCcaZfFQ-VGctdCcFXFpKCzykTuWs2roNbwBN6aZY7RPhDvEssNa5sPpMI7x5-1_AKIapQat_tHBSzU6UlC1i6fknl"
      + "MItpWb7XEl5zD5vfi1DiEM197OCd7twTL4HZL5Cl4FwdQZWblnmSvjq7v049s-5Lru6KuhktFOlF8R_0GvCtOPJF_-MNbYYkaRDJ90sETA-S6d1d"
      + "TjQ8nAUy7JfE6kQ\",\"e\":\"AQAB\"}]}";
  private static final String N = JWKS.substring(JWKS.indexOf("\"n\":\"") + 5, JWKS.indexOf("\",\"e\""));
  /** 2026-01-01T00:00:00Z: the seeds' tokens were issued then and expire a year later. */
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC);
  private static final JwtAuthenticator JWT = JwtAuthenticator.builder()
      .jwkSet(JWKS)
      .issuer("https://idp.fuzz.example")
      .audience("fuzz")
      .clock(CLOCK)
      .build();
  private static final PublicKey KEY = rsaKey();

  @AfterAll
  static void close() {
    JWT.close();
  }

  @FuzzTest(maxDuration = "2m")
  void authenticateNeverThrowsAndAcceptsOnlyTokensSignedByTheKey(byte[] input) {
    String value = new String(input, StandardCharsets.ISO_8859_1);
    GatewayRequest request;
    try {
      request = GatewayRequest.builder("GET", "/api/x").addHeader("Authorization", value).build();
    } catch (IllegalArgumentException notAFieldValue) {
      return; // CR, LF or NUL: no HTTP parser hands such a value over
    }

    CompletionStage<AuthResult> stage = JWT.authenticate(new StubExchange(request));

    CompletableFuture<AuthResult> future = stage.toCompletableFuture();
    assertThat(future).as("completes at once, normally").isCompleted();
    AuthResult result = future.join();
    switch (result.kind()) {
      case AUTHENTICATED -> assertThat(signedByTheKey(value)).as("accepted %s", value).isTrue();
      case NO_CREDENTIALS -> assertThat(value.strip()).as("no Bearer token in %s", value)
          .doesNotStartWithIgnoringCase("bearer ").isNotEqualToIgnoringCase("bearer").isNotEmpty();
      case REJECTED -> {
        assertThat(result.challenges()).hasSize(1);
        Challenge challenge = result.challenges().get(0);
        assertThat(challenge.scheme()).isEqualTo("Bearer");
        assertThat(challenge.error()).isIn("invalid_token", "invalid_request");
        assertThat(challenge.headerValue()).doesNotContain("\r", "\n", "\0");
      }
      case UNAVAILABLE -> throw new AssertionError("503 with a local key set for " + value);
    }
  }

  /** Whether the Bearer token in {@code value} carries an RS256 signature by the key, checked with the JDK alone. */
  private static boolean signedByTheKey(String value) {
    String trimmed = value.strip();
    int space = trimmed.indexOf(' ');
    if (space < 0 || !trimmed.substring(0, space).equalsIgnoreCase("Bearer")) {
      return false;
    }
    String[] parts = trimmed.substring(space + 1).stripLeading().split("\\.", -1);
    if (parts.length != 3) {
      return false;
    }
    try {
      Base64.Decoder decoder = Base64.getUrlDecoder();
      Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
      for (String part : parts) {
        if (!encoder.encodeToString(decoder.decode(part)).equals(part)) {
          return false; // not canonical: the same bytes could be spelled another way
        }
      }
      String header = new String(decoder.decode(parts[0]), StandardCharsets.UTF_8);
      if (!header.replace(" ", "").contains("\"alg\":\"RS256\"")) {
        return false;
      }
      Signature rs256 = Signature.getInstance("SHA256withRSA");
      rs256.initVerify(KEY);
      rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return rs256.verify(decoder.decode(parts[2]));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  private static PublicKey rsaKey() {
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
          new BigInteger(1, Base64.getUrlDecoder().decode(N)), BigInteger.valueOf(65537)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
