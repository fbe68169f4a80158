package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A bulkhead: at most {@link #maxInFlight()} requests of a route (or of one key on it) are
 * in flight at once, from the end of rate limiting until their response has been sent. Excess
 * requests wait in a bounded queue for up to {@link #maxWait()}, or are refused at once; either
 * way a request that gets no permit is answered 503
 * ({@link dev.portico.gateway.ProblemType#OVERLOADED}).
 *
 * <pre>{@code
 * ConcurrencyLimit.of(20)                                            // 21st concurrent request: 503 at once
 * ConcurrencyLimit.of(20).queue(100, Duration.ofMillis(500))         // up to 100 wait up to 500 ms
 * ConcurrencyLimit.of(2).perKey(KeyResolver.principal())             // 2 at once per caller
 * }</pre>
 *
 * <p>With {@link #perKey(KeyResolver)}, requests without a key share one bulkhead.
 */
public final class ConcurrencyLimit {
  private final int maxInFlight;
  private final int maxQueued;
  private final Duration maxWait;
  private final @Nullable KeyResolver key;

  private ConcurrencyLimit(int maxInFlight, int maxQueued, Duration maxWait, @Nullable KeyResolver key) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    this.maxWait = maxWait;
    this.key = key;
  }

  /** At most {@code maxInFlight} requests at once; the excess is refused at once. */
  public static ConcurrencyLimit of(int maxInFlight) {
    if (maxInFlight <= 0) {
      throw new IllegalArgumentException("maxInFlight: " + maxInFlight + " (expected: > 0)");
    }
    return new ConcurrencyLimit(maxInFlight, 0, Duration.ZERO, null);
  }

  /**
   * Returns a copy in which up to {@code maxQueued} excess requests wait, first come first served,
   * for up to {@code maxWait} each; a request that finds the queue full is refused at once.
   */
  public ConcurrencyLimit queue(int maxQueued, Duration maxWait) {
    requireNonNull(maxWait, "maxWait");
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: >= 0)");
    }
    if (maxQueued > 0 && (maxWait.isNegative() || maxWait.isZero())) {
      throw new IllegalArgumentException("maxWait: " + maxWait + " (expected: > 0)");
    }
    return new ConcurrencyLimit(maxInFlight, maxQueued, maxQueued == 0 ? Duration.ZERO : maxWait, key);
  }

  /** Returns a copy that limits each key (caller, tenant...) separately. */
  public ConcurrencyLimit perKey(KeyResolver key) {
    return new ConcurrencyLimit(maxInFlight, maxQueued, maxWait, requireNonNull(key, "key"));
  }

  /** Returns the most requests in flight at once (per key, when keyed). */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Returns how many excess requests may wait; 0 refuses them at once. */
  public int maxQueued() {
    return maxQueued;
  }

  /** Returns how long a queued request waits for a permit before it is refused. */
  public Duration maxWait() {
    return maxWait;
  }

  /** Returns the key resolver of a per-key limit; empty for one limit per route. */
  public Optional<KeyResolver> key() {
    return Optional.ofNullable(key);
  }

  @Override
  public String toString() {
    return "ConcurrencyLimit{maxInFlight=" + maxInFlight + (maxQueued > 0 ? ", queue=" + maxQueued + " for " + maxWait : "")
        + (key != null ? ", perKey" : "") + "}";
  }
}
