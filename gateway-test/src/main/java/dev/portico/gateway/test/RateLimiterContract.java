package dev.portico.gateway.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RateLimiter} contract as JUnit 5 tests, for a limiter of your own: extend this class
 * and return, from {@link #limiter(int, Duration)}, a limiter that allows {@code limit} requests
 * per client IP address ({@link Exchange#clientIp()}) per {@code window}, with budgets of its own.
 *
 * <pre>{@code
 * class TenantLimiterContractTest extends RateLimiterContract {
 *   @Override
 *   protected RateLimiter limiter(int limit, Duration window) {
 *     return TenantLimiter.perClientIp(limit, window);
 *   }
 * }
 * }</pre>
 *
 * <p>What is checked:
 * <ul>
 *   <li>up to the limit is allowed, the next request is {@link RateLimitDecision.Kind#REJECTED
 *       rejected} with a positive {@code Retry-After} of at most the window (a minute);
 *   <li>each client address has its own budget;
 *   <li>eight threads spending one key at once get exactly the limit between them, no more and no
 *       less, within an hour's window (limiters are shared by every exchange of a route);
 *   <li>odd exchanges (IPv6 addresses, identities, strange paths and headers) get a non-null
 *       decision and never an exceptionally completed stage (which the engine answers 500);
 *   <li>every stage completes with a non-null decision within {@link #timeout()}.
 * </ul>
 */
public abstract class RateLimiterContract {

  /** For subclasses. */
  protected RateLimiterContract() {}

  /**
   * Returns a new limiter that allows {@code limit} requests per client IP address per
   * {@code window} (a minute or an hour here), with budgets no earlier call of this method has
   * spent: a request over the limit is rejected, and the budget comes back within the window.
   */
  protected abstract RateLimiter limiter(int limit, Duration window) throws Exception;

  /** Releases what {@link #limiter(int, Duration)} started (a client of a remote store); nothing by default. */
  protected void release() throws Exception {}

  /** Returns how long a stage may take to complete; 10 seconds by default. */
  protected Duration timeout() {
    return Duration.ofSeconds(10);
  }

  @AfterEach
  final void releaseLimiter() throws Exception {
    release();
  }

  private RateLimitDecision decide(RateLimiter limiter, Exchange exchange) throws Exception {
    CompletionStage<RateLimitDecision> stage = limiter.acquire(exchange);
    assertThat(stage).as("stage returned by %s", limiter.name()).isNotNull();
    RateLimitDecision decision = stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
    assertThat(decision).as("decision of %s", limiter.name()).isNotNull();
    return decision;
  }

  /** Up to the limit passes; the request after it is rejected with a Retry-After within the window. */
  @Test
  public void allowsUpToTheLimitThenRejectsWithRetryAfter() throws Exception {
    RateLimiter limiter = limiter(3, Duration.ofMinutes(1));
    TestExchange exchange = TestExchange.on("api");

    List<RateLimitDecision> decisions = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      decisions.add(decide(limiter, exchange));
    }

    assertThat(decisions).extracting(RateLimitDecision::kind).containsExactly(RateLimitDecision.Kind.ALLOWED,
        RateLimitDecision.Kind.ALLOWED, RateLimitDecision.Kind.ALLOWED, RateLimitDecision.Kind.REJECTED);
    assertThat(decisions.get(3).retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
  }

  /** Spending one client's budget leaves another's whole. */
  @Test
  public void keysHaveSeparateBudgets() throws Exception {
    RateLimiter limiter = limiter(1, Duration.ofMinutes(1));

    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.1")).isAllowed()).isTrue();
    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.1")).isAllowed()).isFalse();
    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.2")).isAllowed()).isTrue();
  }

  /** Eight threads spending one key at once get exactly the limit between them. */
  @Test
  public void eightConcurrentClientsOnOneKeyGetExactlyTheLimit() throws Exception {
    int limit = 200;
    RateLimiter limiter = limiter(limit, Duration.ofHours(1));
    TestExchange exchange = TestExchange.on("api").from("10.9.9.9");
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> allowed = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        allowed.add(clients.submit(() -> {
          start.await();
          int mine = 0;
          for (int i = 0; i < 60; i++) {
            if (decide(limiter, exchange).isAllowed()) {
              mine++;
            }
          }
          return mine;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : allowed) {
        total += f.get(timeout().toMillis() * 3, TimeUnit.MILLISECONDS);
      }
      assertThat(total).as("allowed of 480 attempts on one key").isEqualTo(limit);
    } finally {
      clients.shutdownNow();
    }
  }

  /** Odd exchanges still get a decision, as a value. */
  @Test
  public void decidesOddExchangesWithoutFailing() throws Exception {
    RateLimiter limiter = limiter(1_000, Duration.ofMinutes(1));
    List<Exchange> odd = List.of(
        TestExchange.on("api").from("::1"),
        TestExchange.on("api").from("2001:db8::1"),
        TestExchange.on("api").as(Identity.builder("\u00e9 ' OR 1=1 --").build()),
        TestExchange.get("/%00/../\u00ff", "X-Forwarded-For", "not an address", "Authorization", "Bearer " + "a".repeat(8_000)),
        TestExchange.of(GatewayRequest.builder("PATCH", "/" + "x".repeat(4_000)).rawQuery("a=%zz&&=").build()),
        TestExchange.on("other-route").from("0.0.0.0"));

    for (Exchange exchange : odd) {
      assertThat(decide(limiter, exchange).kind()).as("%s", exchange).isNotNull();
    }
  }
}
