package dev.portico.gateway.internal;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Route;
import dev.portico.gateway.Upstream;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;

/**
 * What a request needs of its route, prepared once when the engine is built: the whole filter
 * chain, the upstream client and address. Not public API.
 */
final class CompiledRoute {
  private final Route route;
  private final Filter[] filters;
  private final HttpClient client;

  CompiledRoute(Route route, List<Filter> globalFilters, HttpClient client) {
    this.route = route;
    List<Filter> all = new ArrayList<>(globalFilters);
    all.addAll(route.filters());
    this.filters = all.toArray(Filter[]::new);
    this.client = client;
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

  Upstream upstream() {
    return route.upstream();
  }
}
