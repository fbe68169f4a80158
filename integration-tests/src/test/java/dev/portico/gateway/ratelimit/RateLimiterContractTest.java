package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.auth.Identity;
import dev.portico.gateway.ratelimit.bucket4j.LimitBuilder;
import dev.portico.gateway.ratelimit.bucket4j.MissingKey;
import dev.portico.gateway.ratelimit.bucket4j.Quota;
import dev.portico.gateway.ratelimit.bucket4j.Refill;
import dev.portico.gateway.test.RateLimiterContract;
import dev.portico.gateway.test.TestExchange;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What every token-bucket {@link RateLimiter} must do, run against each store: in memory and in
 * Redis. The published {@link RateLimiterContract} (what any limiter must do), then what the
 * Bucket4j builders promise. Each test builds its own limiter with a fresh name, so stores shared
 * between tests never mix budgets.
 */
abstract class RateLimiterContractTest extends RateLimiterContract {
  private static int counter;

  /** Returns a limiter configured by {@code spec} on a fresh builder of the store under test. */
  protected abstract RateLimiter limiter(Consumer<LimitBuilder<?>> spec);

  /** A fresh name, unique in this JVM. */
  protected static synchronized String uniqueName() {
    return "contract" + (++counter) + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
  }

  protected static RateLimitDecision decide(RateLimiter limiter, Exchange exchange) throws Exception {
    return limiter.acquire(exchange).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected final RateLimiter limiter(int limit, Duration window) {
    return limiter(b -> b.name(uniqueName()).bandwidth(limit, window).refill(Refill.INTERVALLY)
        .keyResolver(KeyResolver.clientIp()));
  }

  @Test
  void byDefaultTheLimitIsPerWindowSoTheNextTokenComesWhenTheWindowEnds() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName()).bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()));
    TestExchange exchange = TestExchange.on("api");
    for (int i = 0; i < 5; i++) {
      assertThat(decide(limiter, exchange).isAllowed()).isTrue();
    }

    RateLimitDecision sixth = decide(limiter, exchange);

    assertThat(sixth.isAllowed()).isFalse();
    // Smoothed refill would have a token back within 12 s; a window gives none before it ends.
    assertThat(sixth.retryAfter()).isGreaterThan(Duration.ofSeconds(50)).isLessThanOrEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void smoothedRefillReturnsOneTokenEveryPeriodOverTheLimit() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName()).bandwidth(5, Duration.ofMinutes(1)).refill(Refill.GREEDY)
        .keyResolver(KeyResolver.clientIp()));
    TestExchange exchange = TestExchange.on("api");
    for (int i = 0; i < 5; i++) {
      assertThat(decide(limiter, exchange).isAllowed()).isTrue();
    }

    RateLimitDecision sixth = decide(limiter, exchange);

    assertThat(sixth.isAllowed()).isFalse();
    assertThat(sixth.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void reportsPolicyRemainingAndReset() throws Exception {
    RateLimiter limiter = limiter(b -> b.name("orders-" + uniqueName()).bandwidth(5, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.clientIp()));

    decide(limiter, TestExchange.on("api"));
    RateLimitDecision second = decide(limiter, TestExchange.on("api"));

    assertThat(second.isAllowed()).isTrue();
    assertThat(second.policy()).hasValueSatisfying(p -> {
      assertThat(p.name()).startsWith("orders-");
      assertThat(p.quota()).isEqualTo(5);
      assertThat(p.window()).isEqualTo(Duration.ofMinutes(1));
    });
    assertThat(second.remaining()).isEqualTo(3);
    assertThat(second.reset()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void aRequestMayCostSeveralTokens() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName()).bandwidth(10, Duration.ofMinutes(1)).refill(Refill.INTERVALLY)
        .keyResolver(KeyResolver.clientIp()).cost(RequestCost.byRoute(java.util.Map.of("search", 4L), 1)));

    RateLimitDecision first = decide(limiter, TestExchange.on("search"));
    RateLimitDecision second = decide(limiter, TestExchange.on("search"));
    RateLimitDecision third = decide(limiter, TestExchange.on("search"));
    RateLimitDecision cheap = decide(limiter, TestExchange.on("other"));

    assertThat(first.remaining()).isEqualTo(6);
    assertThat(second.remaining()).isEqualTo(2);
    assertThat(third.isAllowed()).as("4 tokens with 2 left").isFalse();
    assertThat(cheap.isAllowed()).isTrue();
    assertThat(cheap.remaining()).isEqualTo(1);
  }

  @Test
  void requestsWithoutKeyShareTheAnonymousBucket() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName()).bandwidth(2, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal()));

    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.1")).isAllowed()).isTrue();
    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.2")).isAllowed()).isTrue();
    assertThat(decide(limiter, TestExchange.on("api").from("10.0.0.3")).isAllowed()).isFalse();
    assertThat(decide(limiter, TestExchange.on("api").as("alice")).isAllowed()).isTrue();
  }

  @Test
  void requestsWithoutKeyAreRefusedWhenConfigured() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName()).bandwidth(2, Duration.ofMinutes(1))
        .keyResolver(KeyResolver.principal()).missingKey(MissingKey.REFUSE));

    RateLimitDecision anonymous = decide(limiter, TestExchange.on("api"));

    assertThat(anonymous.kind()).isEqualTo(RateLimitDecision.Kind.REFUSED);
    assertThat(anonymous.detail()).isPresent();
    assertThat(decide(limiter, TestExchange.on("api").as("alice")).isAllowed()).isTrue();
  }

  @Test
  void theIdentitysPlanPicksTheQuota() throws Exception {
    RateLimiter limiter = limiter(b -> b.name(uniqueName())
        .plan("free", Quota.of(1, Duration.ofMinutes(1)))
        .plan("pro", Quota.of(3, Duration.ofMinutes(1)))
        .keyResolver(KeyResolver.principal()));
    Exchange free = TestExchange.on("api").as(Identity.builder("fred").plan("free").build());
    Exchange pro = TestExchange.on("api").as(Identity.builder("paula").plan("pro").build());
    Exchange none = TestExchange.on("api").as("nobody");

    assertThat(decide(limiter, free).policy()).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("free"));
    assertThat(decide(limiter, free).isAllowed()).isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(decide(limiter, pro).isAllowed()).isTrue();
    }
    assertThat(decide(limiter, pro).isAllowed()).isFalse();
    assertThat(decide(limiter, none).kind()).as("no plan and no default quota").isEqualTo(RateLimitDecision.Kind.REFUSED);
  }

  @Test
  void severalBandwidthsReportEachPolicyAndTheBindingOne() throws Exception {
    RateLimiter limiter = limiter(b -> b.name("api").bandwidth(2, Duration.ofSeconds(10)).bandwidth(100, Duration.ofHours(1))
        .keyResolver(KeyResolver.constant(uniqueName())));

    RateLimitDecision first = decide(limiter, TestExchange.on("api"));

    assertThat(first.policies()).extracting(RateLimitPolicy::name).containsExactly("api-10s", "api-3600s");
    assertThat(first.policy()).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("api-10s"));
    assertThat(first.remaining()).isEqualTo(1);
    decide(limiter, TestExchange.on("api"));
    RateLimitDecision third = decide(limiter, TestExchange.on("api"));
    assertThat(third.isAllowed()).isFalse();
    assertThat(third.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
  }
}
