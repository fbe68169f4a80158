package dev.portico.gateway.ratelimit.bucket4j;

/** What a limiter does with a request for which its {@link dev.portico.gateway.ratelimit.KeyResolver} finds no key. */
public enum MissingKey {
  /** Such requests share one anonymous bucket, with the same quota as any key. The default. */
  ANONYMOUS,
  /** Such requests are refused with 403 ({@link dev.portico.gateway.ratelimit.RateLimitDecision#refused(String)}). */
  REFUSE
}
