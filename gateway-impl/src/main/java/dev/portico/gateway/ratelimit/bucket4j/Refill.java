package dev.portico.gateway.ratelimit.bucket4j;

/** How a bandwidth's tokens come back. */
public enum Refill {
  /**
   * Continuously: a bandwidth of 60 per minute gets a token back every second. Smooth, and the
   * default; over any window of the period at most capacity plus what refilled meanwhile passes.
   */
  GREEDY,
  /**
   * All at once, at the end of each period (counted from the bucket's creation): a bandwidth of
   * 100 per minute passes exactly 100 requests in each minute. A fixed window.
   */
  INTERVALLY
}
