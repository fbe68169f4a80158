package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.Filter;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ResponseBody;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.auth.Challenge;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.upstream.Endpoint;
import dev.portico.gateway.upstream.LoadBalancer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The published contracts can fail: run through the JUnit Platform launcher, a correct extension
 * of each kind passes every check, and extensions broken on purpose fail the checks that name
 * their fault.
 */
class ContractsFailOnBrokenExtensionsTest {

  /** An API key in X-Api-Key: a correct authenticator. */
  static final class ApiKey implements Authenticator {
    @Override
    public CompletionStage<AuthResult> authenticate(Exchange exchange) {
      List<String> keys = exchange.request().headers().all("X-Api-Key");
      if (keys.isEmpty()) {
        return CompletableFuture.completedFuture(AuthResult.noCredentials(new Challenge("ApiKey", "api", null, null)));
      }
      return CompletableFuture.completedFuture(keys.size() == 1 && keys.get(0).equals("s3cret")
          ? AuthResult.authenticated(Identity.builder("client").build())
          : AuthResult.rejected(new Challenge("ApiKey", "api", "invalid_key", "unknown key")));
    }

    @Override
    public Set<String> credentialHeaders() {
      return Set.of("X-Api-Key");
    }
  }

  static final class CorrectAuthenticator extends AuthenticatorContract {
    @Override
    protected Authenticator authenticator() {
      return new ApiKey();
    }

    @Override
    protected Set<String> expectedCredentialHeaders() {
      return Set.of("X-Api-Key");
    }
  }

  /** Lets anyone with an Authorization header in, and names the wrong credential header. */
  static final class AnyAuthorizationAuthenticator extends AuthenticatorContract {
    @Override
    protected Authenticator authenticator() {
      return exchange -> CompletableFuture.completedFuture(exchange.request().headers().first("Authorization").isPresent()
          ? AuthResult.authenticated(Identity.builder("anyone").build())
          : AuthResult.noCredentials(Challenge.bearer("api")));
    }

    @Override
    protected Set<String> expectedCredentialHeaders() {
      return Set.of("X-Api-Key");
    }
  }

  /** Throws where it should answer no credentials. */
  static final class ThrowingAuthenticator extends AuthenticatorContract {
    @Override
    protected Authenticator authenticator() {
      return exchange -> CompletableFuture.failedFuture(new IllegalStateException("no header"));
    }
  }

  /** A fixed window per client address, kept under a lock: a correct limiter. */
  static final class FixedWindow implements RateLimiter {
    private final int limit;
    private final Duration window;
    private final Map<String, Integer> spent = new HashMap<>();

    FixedWindow(int limit, Duration window) {
      this.limit = limit;
      this.window = window;
    }

    @Override
    public synchronized CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
      int used = spent.merge(exchange.clientIp(), 1, Integer::sum);
      return CompletableFuture.completedFuture(used <= limit ? RateLimitDecision.allowed() : RateLimitDecision.rejected(window));
    }
  }

  static final class CorrectLimiter extends RateLimiterContract {
    @Override
    protected RateLimiter limiter(int limit, Duration window) {
      return new FixedWindow(limit, window);
    }
  }

  /** One budget for every client. */
  static final class OneBudgetForAllLimiter extends RateLimiterContract {
    @Override
    protected RateLimiter limiter(int limit, Duration window) {
      RateLimiter shared = new FixedWindow(limit, window);
      return exchange -> shared.acquire(TestExchange.on("any"));
    }
  }

  /** Never limits. */
  static final class UnlimitedLimiter extends RateLimiterContract {
    @Override
    protected RateLimiter limiter(int limit, Duration window) {
      return RateLimiter.unlimited();
    }
  }

  static final class FirstAvailableBalancer extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return () -> (candidates, exchange) -> candidates.get(0);
    }
  }

  /** Remembers the first endpoint it saw and keeps picking it, even when it is no longer offered. */
  static final class StickyBalancer extends LoadBalancerContract {
    @Override
    protected LoadBalancer loadBalancer() {
      return () -> new LoadBalancer.Selector() {
        private volatile LoadBalancer.Candidate first;

        @Override
        public LoadBalancer.Candidate select(List<LoadBalancer.Candidate> candidates, Exchange exchange) {
          if (first == null) {
            first = candidates.get(candidates.size() - 1);
          }
          return first;
        }
      };
    }
  }

  /** Refuses requests without X-Tenant with a 400 problem: a correct filter. */
  static final class CorrectFilter extends FilterContract {
    @Override
    protected Filter filter() {
      return (exchange, chain) -> exchange.request().headers().first("X-Tenant").isPresent()
          ? chain.proceed(exchange)
          : CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.BAD_REQUEST.withDetail("X-Tenant is required")));
    }
  }

  /** Calls the chain twice. */
  static final class ProceedsTwiceFilter extends FilterContract {
    @Override
    protected Filter filter() {
      return (exchange, chain) -> chain.proceed(exchange).thenCompose(first -> chain.proceed(exchange));
    }
  }

  /** Refuses with a bare 401: no problem, no challenge. */
  static final class BareRefusalFilter extends FilterContract {
    @Override
    protected Filter filter() {
      return (exchange, chain) -> CompletableFuture.completedFuture(
          GatewayResponse.of(401, HttpHeaders.empty(), ResponseBody.ofUtf8("go away")));
    }
  }

  /** Throws when the chain fails instead of passing the failure on. */
  static final class ThrowsOnFailedChainFilter extends FilterContract {
    @Override
    protected Filter filter() {
      return (exchange, chain) -> {
        CompletableFuture<GatewayResponse> next = chain.proceed(exchange).toCompletableFuture();
        if (next.isCompletedExceptionally()) {
          throw new IllegalStateException("upstream failed");
        }
        return next;
      };
    }
  }

  /** Runs {@code contract} and returns each test's name and outcome. */
  private static Map<String, TestExecutionResult.Status> run(Class<?> contract) {
    Map<String, TestExecutionResult.Status> outcomes = new TreeMap<>();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(contract)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (test.isTest()) {
              outcomes.put(test.getLegacyReportingName(), result.getStatus());
            }
          }
        });
    return outcomes;
  }

  private static List<String> failed(Map<String, TestExecutionResult.Status> outcomes) {
    return outcomes.entrySet().stream().filter(e -> e.getValue() != TestExecutionResult.Status.SUCCESSFUL)
        .map(Map.Entry::getKey).toList();
  }

  @Test
  void correctExtensionsPassEveryCheck() {
    for (Class<?> correct : List.of(CorrectAuthenticator.class, CorrectLimiter.class, FirstAvailableBalancer.class,
        CorrectFilter.class)) {
      Map<String, TestExecutionResult.Status> outcomes = run(correct);

      assertThat(outcomes).as(correct.getSimpleName()).hasSizeGreaterThanOrEqualTo(4);
      assertThat(failed(outcomes)).as(correct.getSimpleName()).isEmpty();
    }
  }

  @Test
  void anAuthenticatorThatTakesAnyAuthorizationFailsTheHostileRowsAndTheHeaderCheck() {
    List<String> failed = failed(run(AnyAuthorizationAuthenticator.class));

    assertThat(failed).contains("namesExactlyTheHeadersThatCarryItsCredentials()")
        .anySatisfy(name -> assertThat(name).startsWith("neverAuthenticatesOrFailsOnHostileCredentials"))
        .noneSatisfy(name -> assertThat(name).startsWith("answersNoCredentials"));
  }

  @Test
  void anAuthenticatorThatFailsItsStageFailsEveryCheckThatCallsIt() {
    List<String> failed = failed(run(ThrowingAuthenticator.class));

    assertThat(failed).contains("answersNoCredentialsWithAChallengeForABareRequest()", "answersConcurrentBareRequestsAlike()")
        .doesNotContain("namesExactlyTheHeadersThatCarryItsCredentials()");
  }

  @Test
  void limitersThatNeverLimitOrShareOneBudgetFailTheirChecks() {
    assertThat(failed(run(UnlimitedLimiter.class))).contains("allowsUpToTheLimitThenRejectsWithRetryAfter()",
        "keysHaveSeparateBudgets()", "eightConcurrentClientsOnOneKeyGetExactlyTheLimit()")
        .doesNotContain("decidesOddExchangesWithoutFailing()");
    assertThat(failed(run(OneBudgetForAllLimiter.class))).containsExactly("keysHaveSeparateBudgets()");
  }

  @Test
  void aBalancerThatPicksAnEndpointNoLongerOfferedFailsTheMembershipCheck() {
    assertThat(failed(run(StickyBalancer.class))).contains("alwaysReturnsOneOfTheCandidates()");
  }

  @Test
  void brokenFiltersFailTheCheckThatNamesTheirFault() {
    assertThat(failed(run(ProceedsTwiceFilter.class))).contains("answersEveryExchangeAndProceedsAtMostOnce()");
    assertThat(failed(run(BareRefusalFilter.class)))
        .containsExactly("refusesWithProblemResponsesThatCarryTheHeadersTheirStatusNeeds()");
    assertThat(failed(run(ThrowsOnFailedChainFilter.class))).containsExactly("doesNotThrowWhenTheChainFails()");
  }
}
