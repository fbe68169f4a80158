package dev.portico.gateway.ratelimit.bucket4j;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Exchange;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.RateLimitDecision;
import dev.portico.gateway.ratelimit.RateLimiter;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A token-bucket rate limiter that keeps its buckets in this JVM: the embedded default, exact on
 * one instance. Each key gets a lock-free Bucket4j bucket; deciding takes a map lookup and a
 * compare-and-set, and different keys never contend. Buckets are bounded in number and dropped
 * when idle, so a flood of keys cannot exhaust memory.
 *
 * <pre>{@code
 * // 100 requests per minute per authenticated caller
 * Bucket4jRateLimiter.perKey(100, Duration.ofMinutes(1), KeyResolver.principal());
 *
 * // 10 per second and 1,000 per hour per client IP; free and pro plans; at most 50,000 buckets
 * Bucket4jRateLimiter.builder()
 *     .name("api")
 *     .bandwidth(10, Duration.ofSeconds(1))
 *     .bandwidth(1_000, Duration.ofHours(1))
 *     .plan("free", Quota.of(60, Duration.ofMinutes(1)))
 *     .plan("pro", Quota.of(6_000, Duration.ofMinutes(1)))
 *     .keyResolver(KeyResolver.clientIp())
 *     .maxKeys(50_000)
 *     .build();
 * }</pre>
 *
 * <p>Instances of a gateway running side by side each count on their own; to share one budget
 * between them, use the Redis limiter in {@code dev.portico.gateway.ratelimit.redis}.
 */
public final class Bucket4jRateLimiter implements RateLimiter {
  /** The default bound on the number of buckets. */
  public static final int DEFAULT_MAX_KEYS = 100_000;

  private final LimitDefinition definition;
  private final BucketStore store;

  private Bucket4jRateLimiter(LimitDefinition definition, BucketStore store) {
    this.definition = definition;
    this.store = store;
  }

  /** Returns a limiter of {@code limit} requests per {@code period} for each key {@code key} resolves. */
  public static Bucket4jRateLimiter perKey(long limit, Duration period, KeyResolver key) {
    return builder().bandwidth(limit, period).keyResolver(key).build();
  }

  /** Returns a builder for several bandwidths, plans, costs and store settings. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<RateLimitDecision> acquire(Exchange exchange) {
    return CompletableFuture.completedFuture(decide(exchange));
  }

  /** Decides for {@code exchange} on the calling thread; {@link #acquire} wraps this. */
  public RateLimitDecision decide(Exchange exchange) {
    LimitDefinition.Target target = definition.target(exchange);
    RateLimitDecision answer = target.answer();
    if (answer != null) {
      return answer;
    }
    int slot = target.slot();
    Bucket bucket = store.bucket(slot, target.key());
    if (!definition.hasSeveralBandwidths(slot)) {
      return definition.decide(slot, bucket.tryConsumeAndReturnRemaining(target.cost()), null);
    }
    VerboseResult<ConsumptionProbe> verbose = bucket.asVerbose().tryConsumeAndReturnRemaining(target.cost());
    return definition.decide(slot, verbose.getValue(), verbose.getDiagnostics().getAvailableTokensPerEachBandwidth());
  }

  /** Returns how many keyed buckets are held now. */
  public int size() {
    return store.size();
  }

  @Override
  public String name() {
    return definition.name();
  }

  @Override
  public String toString() {
    return "Bucket4jRateLimiter{" + definition.name() + "}";
  }

  /** Builds a {@link Bucket4jRateLimiter}; see {@link LimitBuilder} for the limit itself. */
  public static final class Builder extends LimitBuilder<Builder> {
    private int maxKeys = DEFAULT_MAX_KEYS;
    private @Nullable Duration idleTimeout;
    private @Nullable LongSupplier nanoTime;

    Builder() {}

    /**
     * Keeps at most about {@code maxKeys} buckets (default 100,000); past that the least recently
     * used are dropped, which resets their limits.
     */
    public Builder maxKeys(int maxKeys) {
      if (maxKeys <= 0) {
        throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: > 0)");
      }
      this.maxKeys = maxKeys;
      return this;
    }

    /**
     * Drops buckets unused for {@code idleTimeout}. The default, the longest bandwidth period, is
     * exact: such a bucket is full again anyway. A shorter one saves memory and resets partly
     * spent buckets early.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Reads time from {@code nanoTime}, a monotonic nanosecond counter like {@code System::nanoTime}
     * (the default); for tests that move time by hand.
     */
    public Builder timeSource(LongSupplier nanoTime) {
      this.nanoTime = requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Returns the limiter.
     *
     * @throws IllegalStateException naming the limiter and the field
     */
    public Bucket4jRateLimiter build() {
      LimitDefinition definition = definition();
      LongSupplier clock = nanoTime;
      TimeMeter time = clock == null ? TimeMeter.SYSTEM_NANOTIME : new TimeMeter() {
        @Override
        public long currentTimeNanos() {
          return clock.getAsLong();
        }

        @Override
        public boolean isWallClockBased() {
          return false;
        }
      };
      long idle = (idleTimeout != null ? idleTimeout : definition.longestPeriod()).toNanos();
      return new Bucket4jRateLimiter(definition, new BucketStore(definition, time, maxKeys, idle));
    }
  }
}
