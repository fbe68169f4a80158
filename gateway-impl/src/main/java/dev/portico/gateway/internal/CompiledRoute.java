package dev.portico.gateway.internal;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;

/**
 * What a request needs of its route, prepared once when the engine is built: the whole filter
 * chain (global filters, authentication and authorization, the route's filters), the upstream
 * client and address. Not public API.
 */
final class CompiledRoute {
  private final Route route;
  private final Filter[] filters;
  private final HttpClient client;
  private final RoutePolicies policies;

  CompiledRoute(Route route, List<Filter> globalFilters, @Nullable Filter authentication, HttpClient client) {
    this(route, globalFilters, authentication, client, RoutePolicies.NONE);
  }

  /**
   * The chain is: global filters, authentication, the policies' validation, the route's filters,
   * the policies' request and response transforms, then the proxy step.
   */
  CompiledRoute(Route route, List<Filter> globalFilters, @Nullable Filter authentication, HttpClient client,
      RoutePolicies policies) {
    this.route = route;
    List<Filter> all = new ArrayList<>(globalFilters);
    if (authentication != null) {
      all.add(authentication);
    }
    all.addAll(policies.beforeRouteFilters());
    all.addAll(route.filters());
    all.addAll(policies.afterRouteFilters());
    this.filters = all.toArray(Filter[]::new);
    this.client = client;
    this.policies = policies;
  }

  Route route() {
    return route;
  }

  String id() {
    return route.id();
  }

  Filter[] filters() {
    return filters;
  }

  HttpClient client() {
    return client;
  }

  /** Returns the route's validation, transform, CORS and error policies. */
  RoutePolicies policies() {
    return policies;
  }

  Upstream upstream() {
    return route.upstream();
  }
}
