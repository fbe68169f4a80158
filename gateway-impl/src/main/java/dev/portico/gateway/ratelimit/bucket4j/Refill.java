package dev.portico.gateway.ratelimit.bucket4j;

/**
 * How a bandwidth's tokens come back, which decides what "N per period" guarantees.
 *
 * <pre>{@code
 * Quota.of(5, Duration.ofMinutes(1))                          // INTERVALLY: 5 in each minute
 * Quota.builder().bandwidth(5, Duration.ofMinutes(1))
 *     .refill(Refill.GREEDY).build();                         // smoothed: 5 at once, then one every 12 s
 * }</pre>
 *
 * <p>Neither bounds every sliding window of the period by N: a token bucket that starts full
 * lets a caller who saved its tokens spend them all at once, and then what comes back. For a
 * tighter bound, split the bandwidth: {@code bandwidth(N / k, period / k)} with {@code INTERVALLY}
 * passes at most {@code (k + 1) * N / k} in any window of the period.
 */
public enum Refill {
  /**
   * All of a bandwidth's tokens come back at once, at the end of each period, counted from the
   * bucket's first request: a fixed window, and the default. "5 per minute" passes at most 5 in
   * each window (the first minute from a caller's first request, then the next minute, ...), and
   * the sixth is refused with a {@code Retry-After} of the time left in the window. A sliding
   * window that straddles the end of one window and the start of the next can see up to 2N
   * (N spent at the end of one, N at the start of the next), as with fixed-window limits
   * elsewhere (Kong's rate-limiting plugin, Envoy's local rate limit).
   */
  INTERVALLY,
  /**
   * Smoothed: tokens come back continuously, one every {@code period / N}. "5 per minute" passes
   * 5 at once, then one every 12 seconds: up to 9 in the first minute (2N - 1 in any window of
   * the period), and on average N per period. Suits a steady flow better than a fixed window,
   * which lets a caller wait for the window's end and burst.
   */
  GREEDY
}
