package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Authenticator} contract as JUnit 5 tests, for an authenticator of your own: extend this
 * class, return your authenticator from {@link #authenticator()}, and the tests check what the
 * engine relies on.
 *
 * <pre>{@code
 * class TenantTokenAuthenticatorContractTest extends AuthenticatorContract {
 *   @Override
 *   protected Authenticator authenticator() {
 *     return new TenantTokenAuthenticator(keys);
 *   }
 *
 *   @Override
 *   protected Set<String> expectedCredentialHeaders() {
 *     return Set.of("X-Tenant-Token");
 *   }
 * }
 * }</pre>
 *
 * <p>What is checked:
 * <ul>
 *   <li>a request without credentials is {@link AuthResult.Kind#NO_CREDENTIALS no credentials} with
 *       at least one challenge for the 401's {@code WWW-Authenticate};
 *   <li>{@link Authenticator#credentialHeaders()} names exactly the expected headers;
 *   <li>hostile credentials (malformed, huge, repeated, of another scheme, non-ASCII) never
 *       authenticate, never complete the stage exceptionally (which the engine answers 500), and a
 *       rejection carries exactly one challenge;
 *   <li>the stage is never null and always completes with a non-null result within
 *       {@link #timeout()};
 *   <li>many threads at once get the same answer (the engine shares one authenticator between
 *       all exchanges).
 * </ul>
 * A valid credential is not checked: only you know one. Test it beside these.
 */
public abstract class AuthenticatorContract {

  /** For subclasses. */
  protected AuthenticatorContract() {}

  /** Returns the authenticator under test; called once per test. */
  protected abstract Authenticator authenticator() throws Exception;

  /**
   * Returns the request headers that carry the authenticator's credentials, exactly: what a route
   * that strips credentials removes before the upstream call. {@code Authorization} by default.
   */
  protected Set<String> expectedCredentialHeaders() {
    return Set.of("Authorization");
  }

  /** Releases what {@link #authenticator()} started (a key server, a client); nothing by default. */
  protected void release() throws Exception {}

  /** Returns how long a stage may take to complete; 10 seconds by default. */
  protected Duration timeout() {
    return Duration.ofSeconds(10);
  }

  @AfterEach
  final void releaseAuthenticator() throws Exception {
    release();
  }

  private AuthResult authenticate(Authenticator authenticator, Exchange exchange) throws Exception {
    CompletionStage<AuthResult> stage = authenticator.authenticate(exchange);
    assertThat(stage).as("stage returned by %s", authenticator).isNotNull();
    AuthResult result = stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(result).as("result of %s", authenticator).isNotNull();
    return result;
  }

  /** A request without credentials is no credentials, with a challenge for the 401. */
  @Test
  public void answersNoCredentialsWithAChallengeForABareRequest() throws Exception {
    AuthResult result = authenticate(authenticator(), TestExchange.of(GatewayRequest.builder("GET", "/api/x").build()));

    assertThat(result.kind()).isEqualTo(AuthResult.Kind.NO_CREDENTIALS);
    assertThat(result.challenges()).isNotEmpty();
  }

  /** {@code credentialHeaders()} names exactly {@link #expectedCredentialHeaders()}. */
  @Test
  public void namesExactlyTheHeadersThatCarryItsCredentials() throws Exception {
    assertThat(authenticator().credentialHeaders()).containsExactlyInAnyOrderElementsOf(expectedCredentialHeaders());
  }

  /** Credentials no authenticator may accept, as header name and value pairs. */
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

  /**
   * Hostile credentials never authenticate nor fail the stage; a rejection has one challenge.
   *
   * @param headers header names and values, in pairs
   */
  @ParameterizedTest
  @MethodSource("dev.portico.gateway.test.AuthenticatorContract#hostileHeaders")
  public void neverAuthenticatesOrFailsOnHostileCredentials(List<String> headers) throws Exception {
    GatewayRequest.Builder request = GatewayRequest.builder("GET", "/api/x").rawQuery("api_key=%zz&api_key=");
    for (int i = 0; i < headers.size(); i += 2) {
      request.addHeader(headers.get(i), headers.get(i + 1));
    }

    AuthResult result = authenticate(authenticator(), TestExchange.of(request.build()));

    assertThat(result.kind()).isNotEqualTo(AuthResult.Kind.AUTHENTICATED);
    if (result.kind() == AuthResult.Kind.REJECTED) {
      assertThat(result.challenges()).hasSize(1);
    }
  }

  /** Eight threads at once get the same answer for bare requests. */
  @Test
  public void answersConcurrentBareRequestsAlike() throws Exception {
    Authenticator authenticator = authenticator();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<AuthResult.Kind>>> kinds = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        int caller = c;
        kinds.add(callers.submit(() -> {
          start.await();
          List<AuthResult.Kind> mine = new ArrayList<>();
          for (int i = 0; i < 25; i++) {
            mine.add(authenticate(authenticator,
                TestExchange.of(GatewayRequest.builder("GET", "/api/" + caller + "/" + i).build())).kind());
          }
          return mine;
        }));
      }
      start.countDown();
      for (Future<List<AuthResult.Kind>> f : kinds) {
        assertThat(f.get(timeout().toMillis() * 2, TimeUnit.MILLISECONDS)).containsOnly(AuthResult.Kind.NO_CREDENTIALS);
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
