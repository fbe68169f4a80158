package dev.portico.gateway.ratelimit;

/**
 * Which quota headers the gateway adds to responses of rate-limited routes (allowed and rejected
 * alike). Set with {@link dev.portico.gateway.Gateway.Builder#rateLimitHeaders(RateLimitHeaders)}.
 */
public enum RateLimitHeaders {
  /**
   * {@code RateLimit-Policy} and {@code RateLimit} as in the IETF httpapi ratelimit-headers draft:
   * {@code RateLimit-Policy: "orders";q=100;w=60} and {@code RateLimit: "orders";r=42;t=18}. The
   * default.
   */
  IETF,
  /**
   * The IETF draft's headers, plus the older {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}
   * and {@code X-RateLimit-Reset} (seconds until the quota is whole again) for clients that only
   * know those.
   */
  IETF_AND_LEGACY,
  /** No quota headers; a rejection still carries {@code Retry-After}. */
  NONE
}
