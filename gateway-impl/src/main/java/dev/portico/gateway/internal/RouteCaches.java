package dev.portico.gateway.internal;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.cache.CachePolicy;
import dev.portico.gateway.cache.CacheStatus;
import dev.portico.gateway.internal.cache.CacheStep;
import dev.portico.gateway.internal.cache.CacheStore;
import dev.portico.gateway.internal.proxy.UpstreamRequests;
import dev.portico.gateway.internal.routing.PathNormalizer;
import dev.portico.gateway.internal.spi.Integrations;
import dev.portico.gateway.observe.GatewayObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The response caches of one configuration's routes: one {@link CacheStep} (and store) per route
 * and {@link CachePolicy}, shared by the forms of a route that keep the same policy. A new
 * configuration starts with empty caches: what a reconfiguration changes (upstreams, rewrites,
 * policies) may change what the stored responses mean. Caffeine is looked for only when a route
 * caches. Not public API.
 */
final class RouteCaches {
  private final Gateway gateway;
  private final GatewayObserver observer;
  private final Map<String, List<CacheStep>> byRoute = new LinkedHashMap<>();
  private CacheStore.@Nullable Factory stores;

  RouteCaches(Gateway gateway, GatewayObserver observer) {
    this.gateway = gateway;
    this.observer = observer;
  }

  /** Returns the live state of each cache, in the order the routes were compiled. */
  List<CacheStatus> status() {
    List<CacheStatus> out = new ArrayList<>();
    byRoute.forEach((id, steps) -> steps.forEach(step -> out.add(new CacheStatus(id, step.store().size(),
        step.store().weightedSize(), step.policy().maxBytes(), step.hits(), step.misses(), step.store().evictions()))));
    return List.copyOf(out);
  }

  /**
   * Returns the cache step of {@code route} for {@code policy}.
   *
   * @throws IllegalStateException naming the route and the artifact, when Caffeine is missing
   */
  CacheStep step(Route route, CachePolicy policy) {
    List<CacheStep> mine = byRoute.computeIfAbsent(route.id(), k -> new ArrayList<>(1));
    for (CacheStep step : mine) {
      if (step.policy() == policy) {
        return step;
      }
    }
    CacheStore.Factory factory = stores;
    if (factory == null) {
      try {
        factory = Integrations.responseCaches();
      } catch (IllegalStateException e) {
        throw new IllegalStateException("route '" + route.id() + "': " + e.getMessage(), e);
      }
      stores = factory;
    }
    String id = route.id();
    CacheStep step = new CacheStep(policy, factory.create(policy.maxBytes(), () -> observer.cacheEvicted(id)),
        gateway.authenticatorFor(route).isPresent(), exchange -> {
          PathNormalizer.Result path = UpstreamRequests.path("", route, exchange);
          return path.isOk() ? path.path() : null;
        });
    mine.add(step);
    return step;
  }
}
