package dev.portico.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.testing.TestExchange;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Authenticator} contract, run against every built-in: a request without credentials is
 * no credentials with a challenge; hostile credentials never authenticate and never complete the
 * stage exceptionally (which would be a 500); the stage is never null.
 */
abstract class AuthenticatorContractTest {

  /** The authenticator under test; called once per test. */
  protected abstract Authenticator authenticator() throws Exception;

  /**
   * The request headers that carry the authenticator's credentials, exactly: what
   * {@code IdentityForwarding.stripCredentials()} removes before the upstream call.
   */
  protected abstract Set<String> expectedCredentialHeaders();

  /** Releases what {@link #authenticator()} started. */
  protected void release() throws Exception {}

  @AfterEach
  void releaseAuthenticator() throws Exception {
    release();
  }

  private static AuthResult authenticate(Authenticator authenticator, GatewayRequest request) throws Exception {
    var stage = authenticator.authenticate(new TestExchange(request, List.of()));
    assertThat(stage).as("stage").isNotNull();
    AuthResult result = stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(result).as("result").isNotNull();
    return result;
  }

  @Test
  void answersNoCredentialsWithAChallengeForABareRequest() throws Exception {
    AuthResult result = authenticate(authenticator(), GatewayRequest.builder("GET", "/api/x").build());

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.NO_CREDENTIALS);
    assertThat(result.challenges()).isNotEmpty();
  }

  @Test
  void namesExactlyTheHeadersThatCarryItsCredentials() throws Exception {
    assertThat(authenticator().credentialHeaders()).containsExactlyInAnyOrderElementsOf(expectedCredentialHeaders());
  }

  static Stream<List<String>> hostileHeaders() {
    String huge = Base64.getEncoder().encodeToString("x".repeat(6000).getBytes(StandardCharsets.UTF_8));
    return Stream.of(
        List.of("Authorization", "Basic"),
        List.of("Authorization", "Basic ===="),
        List.of("Authorization", "Basic " + huge),
        List.of("Authorization", "basic Og=="),
        List.of("Authorization", "Bearer"),
        List.of("Authorization", "Bearer \u00ff\u00fe"),
        List.of("Authorization", "Bearer " + "a".repeat(10_000)),
        List.of("Authorization", "Bearer a", "Authorization", "Bearer b"),
        List.of("Authorization", "Basic Og==", "Authorization", "Bearer b"),
        List.of("Authorization", "Negotiate abc"),
        List.of("X-Api-Key", ""),
        List.of("X-Api-Key", "a", "X-Api-Key", "b"),
        List.of("X-Api-Key", "k".repeat(5000)),
        List.of("X-Api-Key", "\u00e9\u00e8 ' OR 1=1 --"));
  }

  @ParameterizedTest
  @MethodSource("hostileHeaders")
  void neverAuthenticatesOrFailsOnHostileCredentials(List<String> headers) throws Exception {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", "/api/x").rawQuery("api_key=%zz&api_key=");
    for (int i = 0; i < headers.size(); i += 2) {
      request.addHeader(headers.get(i), headers.get(i + 1));
    }

    AuthResult result = authenticate(authenticator(), request.build());

    assertThat(result.kind()).isNotEqualTo(AuthResult.Kind.AUTHENTICATED);
    if (result.kind() == AuthResult.Kind.REJECTED) {
      assertThat(result.challenges()).hasSize(1);
    }
  }
}
