package dev.portico.gateway.spring.boot;

import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.ratelimit.redis.RedisRateLimiter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * PINGs Redis-backed limiters for {@link PorticoHealthIndicator}. A class of its own so that it,
 * and Lettuce with it, is loaded only when a {@link RedisRateLimiter} exists.
 */
final class RedisPings {
  private RedisPings() {}

  /**
   * Pings each limiter at once and waits for all up to {@code timeout}; by limiter name:
   * {@code reachable}, and {@code roundTripMs} or {@code error}.
   */
  static Map<String, Map<String, Object>> ping(List<RateLimiter> limiters, Duration timeout) {
    Map<String, CompletableFuture<Duration>> pings = new LinkedHashMap<>();
    for (RateLimiter limiter : limiters) {
      pings.put(limiter.name(), ((RedisRateLimiter) limiter).ping(timeout).toCompletableFuture());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    pings.forEach((name, ping) -> {
      Map<String, Object> l = new LinkedHashMap<>();
      try {
        Duration roundTrip = ping.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        l.put("reachable", true);
        l.put("roundTripMs", roundTrip.toMillis());
      } catch (TimeoutException e) {
        l.put("reachable", false);
        l.put("error", "no answer within " + timeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        l.put("reachable", false);
        l.put("error", why(e.getCause() != null ? e.getCause() : e, timeout));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        l.put("reachable", false);
        l.put("error", "interrupted");
      }
      out.put(name, l);
    });
    return out;
  }

  /**
   * The reason, without echoing a client library's exception (which could name a URI): the
   * limiter's own "not connected to Redis (...)" reasons, which name the address, or the kind of
   * failure.
   */
  private static String why(Throwable failure, Duration timeout) {
    if (failure instanceof TimeoutException) {
      return "no answer within " + timeout.toMillis() + " ms";
    }
    if (failure.getClass().getName().startsWith(RedisRateLimiter.class.getPackageName() + ".")) {
      String message = failure.getMessage();
      return message == null ? "not connected" : message;
    }
    return failure.getClass().getSimpleName();
  }
}
