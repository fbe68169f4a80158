package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Decides whether a request may pass now, and spends its share of a budget if it may.
 *
 * <pre>{@code
 * Gateway.builder()
 *     .rateLimiter(Bucket4jRateLimiter.perKey(1_000, Duration.ofMinutes(1), KeyResolver.clientIp()))
 *     .route("orders", r -> r
 *         .path("/api/orders/**")
 *         .rateLimiter(Bucket4jRateLimiter.perKey(100, Duration.ofMinutes(1), KeyResolver.principal()))
 *         .upstream("http://orders:8080"))
 *     .build();
 * }</pre>
 *
 * <p>The engine asks a route's limiters after authentication and authorization, before the
 * route's own filters: the gateway's limiters first, then the route's, stopping at the first that
 * does not allow. An allowed request's quota is reported in {@code RateLimit} and
 * {@code RateLimit-Policy} response headers; a rejected one is answered 429 with
 * {@code Retry-After}.
 *
 * <p>Contract: return a stage that completes exactly once with a non-null decision; never block
 * (a remote store completes the stage later); report expected outcomes, including a store that is
 * down, as decisions. An exceptionally completed stage is a bug, answered 500. Limiters are shared
 * by every exchange of their routes and called from many threads at once.
 */
@FunctionalInterface
public interface RateLimiter {

  /** Decides for {@code exchange}, consuming its cost from its budget when allowed. */
  CompletionStage<RateLimitDecision> acquire(Exchange exchange);

  /** Returns a name for logs and error messages; the class name by default. */
  default String name() {
    String simple = getClass().getSimpleName();
    int lambda = simple.indexOf("$$Lambda");
    return lambda > 0 ? simple.substring(0, lambda) + "(lambda)" : simple;
  }

  /**
   * Returns a limiter that applies this one only to exchanges that match {@code condition} and
   * allows the rest without spending anything.
   *
   * <pre>{@code
   * limiter.when(exchange -> !exchange.request().method().equals("GET"))   // limit writes only
   * }</pre>
   */
  default RateLimiter when(Predicate<? super Exchange> condition) {
    requireNonNull(condition, "condition");
    RateLimiter limiter = this;
    return new RateLimiter() {
      @Override
      public CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
        return condition.test(exchange) ? limiter.acquire(exchange) : Unlimited.ALLOWED;
      }

      @Override
      public String name() {
        return limiter.name() + "(when)";
      }
    };
  }

  /** Returns a limiter that allows everything and reports no quota. */
  static RateLimiter unlimited() {
    return Unlimited.INSTANCE;
  }
}

/** The limiter that allows everything. */
final class Unlimited implements RateLimiter {
  static final Unlimited INSTANCE = new Unlimited();
  static final CompletionStage<RateLimitDecision> ALLOWED =
      CompletableFuture.completedFuture(RateLimitDecision.allowed());

  private Unlimited() {}

  @Override
  public CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
    return ALLOWED;
  }

  @Override
  public String name() {
    return "unlimited";
  }
}
