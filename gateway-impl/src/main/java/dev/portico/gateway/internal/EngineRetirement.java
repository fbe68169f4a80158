package dev.portico.gateway.internal;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.internal.proxy.UpstreamClients;
import dev.portico.gateway.ratelimit.RateLimiter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configurations a runtime replaced while exchanges still ran on them, and what is released
 * when one drains: its health checks and WebSocket connectors, the upstream clients and the
 * closeable rate limiters that neither the current configuration nor another draining one still
 * uses. Guarded by the runtime's lock. Not public API.
 */
final class EngineRetirement {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  private final UpstreamClients clients;
  private final Supplier<GatewayEngine> current;
  private final List<GatewayEngine> draining = new ArrayList<>();

  EngineRetirement(UpstreamClients clients, Supplier<GatewayEngine> current) {
    this.clients = clients;
    this.current = current;
  }

  /** {@code old} was replaced: it drains until its last exchange ends. */
  void replaced(GatewayEngine old) {
    draining.add(old);
  }

  /** {@code old} has drained: stops what only it used. */
  void drained(GatewayEngine old) {
    if (draining.remove(old)) {
      old.stopUpstreams();
      releaseUnusedClients();
      closeLimiters(old, liveLimiters());
    }
  }

  /** Stops the upstream clients that neither the current nor a draining configuration uses. */
  void releaseUnusedClients() {
    Set<HttpClient> used = Collections.newSetFromMap(new IdentityHashMap<>());
    used.addAll(current.get().clientsInUse());
    for (GatewayEngine engine : draining) {
      used.addAll(engine.clientsInUse());
    }
    clients.retain(used);
  }

  /** The runtime stops: every configuration's upstream side stops and every closeable limiter closes. */
  void stopAll() {
    Set<RateLimiter> none = Set.of();
    closeLimiters(current.get(), none);
    for (GatewayEngine engine : draining) {
      closeLimiters(engine, none);
    }
    current.get().stopUpstreams();
    for (GatewayEngine engine : draining) {
      engine.stopUpstreams();
    }
    draining.clear();
  }

  private Set<RateLimiter> liveLimiters() {
    Set<RateLimiter> live = Collections.newSetFromMap(new IdentityHashMap<>());
    live.addAll(limitersOf(current.get().gateway()));
    for (GatewayEngine engine : draining) {
      live.addAll(limitersOf(engine.gateway()));
    }
    return live;
  }

  private static Set<RateLimiter> limitersOf(Gateway gateway) {
    Set<RateLimiter> all = Collections.newSetFromMap(new IdentityHashMap<>());
    all.addAll(gateway.rateLimiters());
    for (dev.portico.gateway.Route route : gateway.routes()) {
      all.addAll(route.rateLimiters());
      route.methodPolicies().keySet().forEach(method -> all.addAll(route.forMethod(method).rateLimiters()));
    }
    return all;
  }

  /** Closes the {@link AutoCloseable} rate limiters of {@code engine} that are not in {@code keep}. */
  private static void closeLimiters(GatewayEngine engine, Set<RateLimiter> keep) {
    for (RateLimiter limiter : limitersOf(engine.gateway())) {
      if (limiter instanceof AutoCloseable closeable && !keep.contains(limiter)) {
        try {
          closeable.close();
        } catch (Exception e) {
          LOG.warn("cannot close rate limiter '{}': {}", limiter.name(), e.toString());
        }
      }
    }
  }
}
