package dev.portico.gateway.ratelimit;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One quota a limiter enforces, as clients are told in the {@code RateLimit-Policy} header of the
 * IETF httpapi draft: {@code "orders";q=100;w=60} is the policy {@code orders} allowing 100 units
 * per 60 seconds.
 *
 * @param name the policy's identifier; the {@code RateLimit} header refers to it
 * @param quota how many units the window allows
 * @param window the time the quota applies to
 */
public record RateLimitPolicy(String name, long quota, Duration window) {

  /** Validates the components: a printable ASCII name, a positive quota and window. */
  public RateLimitPolicy {
    requireNonNull(name, "name");
    requireNonNull(window, "window");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name: empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        throw new IllegalArgumentException("name: '" + name + "' (expected: printable ASCII without \" or \\)");
      }
    }
    if (quota <= 0) {
      throw new IllegalArgumentException("quota: " + quota + " (expected: > 0)");
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window: " + window + " (expected: > 0)");
    }
  }
}
