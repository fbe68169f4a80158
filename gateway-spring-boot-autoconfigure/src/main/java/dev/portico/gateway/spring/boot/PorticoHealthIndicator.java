package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.upstream.EndpointStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of a running gateway: UP when every upstream group has an endpoint in rotation
 * (healthy, not ejected) and no open circuit, and every Redis-backed rate limiter answers a PING;
 * DOWN otherwise, with the details of each group and limiter. Groups are named as the engine names
 * them ({@code route:<id>} for a route's inline upstream).
 *
 * <p>Each call costs one look at the engine's state and one PING per Redis-backed limiter, all
 * sent at once and waited for together, up to the timeout; nothing runs per request.
 */
final class PorticoHealthIndicator implements HealthIndicator {
  static final String REDIS_LIMITER = "dev.portico.gateway.ratelimit.redis.RedisRateLimiter";

  private final Supplier<RunningGateway> gateway;
  private final Duration redisTimeout;

  PorticoHealthIndicator(Supplier<RunningGateway> gateway, Duration redisTimeout) {
    this.gateway = gateway;
    this.redisTimeout = redisTimeout;
  }

  @Override
  public Health health() {
    RunningGateway running = gateway.get();
    boolean up = true;
    Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
    for (EndpointStatus s : running.upstreamStatus()) {
      Map<String, Object> group = groups.computeIfAbsent(s.group(), name -> {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("status", Status.DOWN.getCode());
        g.put("circuit", s.circuit());
        g.put("endpoints", new LinkedHashMap<String, String>());
        return g;
      });
      @SuppressWarnings("unchecked")
      Map<String, String> endpoints = (Map<String, String>) group.get("endpoints");
      endpoints.put(s.endpoint(), s.ejected() ? "ejected" : s.healthy() ? "healthy" : "unhealthy");
      if (s.inRotation() && !"open".equals(s.circuit())) {
        group.put("status", Status.UP.getCode());
      }
    }
    for (Map<String, Object> g : groups.values()) {
      up &= Status.UP.getCode().equals(g.get("status"));
    }
    Health.Builder health = new Health.Builder().withDetail("ready", running.isReady()).withDetail("upstreams", groups);
    List<RateLimiter> redis = redisLimiters(running.gateway());
    if (!redis.isEmpty()) {
      Map<String, Map<String, Object>> limiters = RedisPings.ping(redis, redisTimeout);
      for (Map<String, Object> l : limiters.values()) {
        up &= Boolean.TRUE.equals(l.get("reachable"));
      }
      health.withDetail("redis", limiters);
    }
    return health.status(up ? Status.UP : Status.DOWN).build();
  }

  /**
   * The Redis-backed limiters of the definition, gateway-wide and per route, each once. Found by
   * class name: referring to the class would load Lettuce, which a host without Redis lacks.
   */
  private static List<RateLimiter> redisLimiters(Gateway definition) {
    Set<RateLimiter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<RateLimiter> out = new ArrayList<>();
    List<RateLimiter> all = new ArrayList<>(definition.rateLimiters());
    for (Route route : definition.routes()) {
      all.addAll(route.rateLimiters());
    }
    for (RateLimiter limiter : all) {
      if (limiter.getClass().getName().equals(REDIS_LIMITER) && seen.add(limiter)) {
        out.add(limiter);
      }
    }
    return out;
  }
}
