package dev.portico.gateway.internal.upstream;

import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter: before retry {@code n} (1-based), a random wait between 0
 * and {@code min(max, base * 2^(n-1))}. Not public API.
 */
public final class Backoff {
  private Backoff() {}

  /** Returns the wait in nanos before retry {@code retry}. */
  public static long nanos(int retry, long baseNanos, long maxNanos, RandomGenerator random) {
    if (baseNanos <= 0 || maxNanos <= 0) {
      return 0;
    }
    int shift = Math.min(retry - 1, 30);
    long cap = baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
    return random.nextLong(cap + 1);
  }
}
