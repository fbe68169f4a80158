package dev.portico.gateway.internal.chain;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.FilterChain;
import dev.portico.gateway.GatewayResponse;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.ratelimit.ConcurrencyLimit;
import dev.portico.gateway.ratelimit.KeyResolver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * The engine's concurrency-limit (bulkhead) step, after the rate limits: takes a permit of the
 * route's (or the key's) {@link Bulkhead}, waiting in its queue if it has one, and gives it back
 * when the exchange ends, through {@link StepContext#whenFinished(Runnable)}. A request that gets
 * no permit is answered 503. Per-key bulkheads live in a map only while they have holders or
 * waiters, so a flood of keys leaves nothing behind. Not public API.
 */
public final class ConcurrencyLimitStep implements ChainStep {
  private static final String NO_KEY = "";

  private final ConcurrencyLimit limit;
  private final Scheduler scheduler;
  private final @Nullable KeyResolver keyResolver;
  private final @Nullable Bulkhead shared;
  private final ConcurrentHashMap<String, Bulkhead> byKey = new ConcurrentHashMap<>();

  public ConcurrencyLimitStep(ConcurrencyLimit limit, Scheduler scheduler) {
    this.limit = limit;
    this.scheduler = scheduler;
    this.keyResolver = limit.key().orElse(null);
    this.shared = keyResolver == null ? newBulkhead(null) : null;
  }

  @Override
  public String name() {
    return "concurrency-limit";
  }

  /** Returns the limit this step enforces. */
  public ConcurrencyLimit limit() {
    return limit;
  }

  @Override
  public CompletionStage<GatewayResponse> run(StepContext context, Exchange exchange, FilterChain chain) {
    Bulkhead.Waiter[] waiter = new Bulkhead.Waiter[1];
    Bulkhead bulkhead;
    Bulkhead.Outcome outcome;
    if (shared != null) {
      bulkhead = shared;
      outcome = bulkhead.acquire(waiter);
    } else {
      String key = keyResolver.resolve(exchange).orElse(NO_KEY);
      do {
        bulkhead = byKey.computeIfAbsent(key, k -> newBulkhead(k));
        outcome = bulkhead.acquire(waiter);
      } while (outcome == Bulkhead.Outcome.RETIRED);
    }
    Bulkhead held = bulkhead;
    return switch (outcome) {
      case ACQUIRED -> proceed(context, exchange, chain, held);
      case QUEUED -> waiter[0].granted().thenCompose(granted -> granted ? proceed(context, exchange, chain, held) : overloaded(true));
      case REFUSED, RETIRED -> overloaded(false);
    };
  }

  private CompletionStage<GatewayResponse> proceed(StepContext context, Exchange exchange, FilterChain chain,
      Bulkhead held) {
    context.whenFinished(held::release);
    return chain.proceed(exchange);
  }

  private CompletionStage<GatewayResponse> overloaded(boolean waited) {
    return CompletableFuture.completedFuture(GatewayResponse.problem(ProblemType.OVERLOADED.withDetail(waited
        ? "Too many requests are in progress; none finished within " + limit.maxWait().toMillis() + " ms."
        : "Too many requests are in progress; try again shortly.")));
  }

  private Bulkhead newBulkhead(@Nullable String key) {
    long waitNanos = limit.maxWait().toNanos();
    if (key == null) {
      return new Bulkhead(limit.maxInFlight(), limit.maxQueued(), waitNanos, scheduler, null);
    }
    // Idle per-key bulkheads leave the map (the bulkhead's lock is held; remove only touches the map's).
    return new Bulkhead(limit.maxInFlight(), limit.maxQueued(), waitNanos, scheduler, b -> byKey.remove(key, b));
  }

  /** Returns how many per-key bulkheads exist now (for tests). */
  int keyCount() {
    return byKey.size();
  }
}
