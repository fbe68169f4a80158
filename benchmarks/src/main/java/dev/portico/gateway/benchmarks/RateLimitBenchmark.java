package dev.portico.gateway.benchmarks;

import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The in-memory rate limit check, keyed by client IP: every call on one key, and calls spread over
 * 10,000 keys (each its own bucket). The limit (0.5 tokens/ns, Bucket4j allows at most 1) is high
 * enough that every request is allowed, so what is measured is the check, not the refusal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RateLimitBenchmark {
  private static final int KEYS = 10_000;

  private Bucket4jRateLimiter limiter;
  private BenchExchange oneKey;
  private BenchExchange[] manyKeys;
  private int next;

  @Setup
  public void build() {
    limiter = Bucket4jRateLimiter.perKey(500_000_000L, Duration.ofSeconds(1), KeyResolver.clientIp());
    oneKey = BenchExchange.get("/api/orders");
    manyKeys = new BenchExchange[KEYS];
    for (int i = 0; i < KEYS; i++) {
      manyKeys[i] = oneKey.from("10.0." + (i >> 8) + "." + (i & 0xff));
    }
    for (BenchExchange exchange : manyKeys) {
      limiter.decide(exchange); // every bucket exists before measuring
    }
  }

  @Benchmark
  public RateLimitDecision decideOneKey() {
    return limiter.decide(oneKey);
  }

  @Benchmark
  public RateLimitDecision decideManyKeys() {
    int i = next;
    next = i + 1 == KEYS ? 0 : i + 1;
    return limiter.decide(manyKeys[i]);
  }

  @Benchmark
  public CompletionStage<RateLimitDecision> acquireOneKey() {
    return limiter.acquire(oneKey);
  }
}
