package dev.portico.gateway.internal;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;

/**
 * What a request needs of its route, prepared once when the engine is built: the whole filter
 * chain (global filters, the engine's policy steps, the route's filters), the upstream client,
 * the live upstream group (shared with the other routes that send to it) and the route's retry
 * budget. Not public API.
 */
final class CompiledRoute {
  private final Route route;
  private final Filter[] filters;
  private final HttpClient client;
  private final LiveGroup group;
  private final @Nullable RetryBudget retryBudget;
  private final @Nullable WebSocketConnector webSocketConnector;
  private final long maxRequestBodySize;

  /**
   * {@code engineSteps} run between the global filters and the route's own, in order: request
   * size, authentication and authorization, rate limits, concurrency limit (each only if the
   * route needs it).
   */
  CompiledRoute(Route route, List<Filter> globalFilters, List<Filter> engineSteps, HttpClient client, LiveGroup group,
      @Nullable RetryBudget retryBudget, @Nullable WebSocketConnector webSocketConnector) {
    this.route = route;
    List<Filter> all = new ArrayList<>(globalFilters);
    all.addAll(engineSteps);
    all.addAll(route.filters());
    this.filters = all.toArray(Filter[]::new);
    this.client = client;
    this.group = group;
    this.retryBudget = retryBudget;
    this.webSocketConnector = webSocketConnector;
    this.maxRequestBodySize = route.maxRequestBodySize().orElse(-1);
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

  /** Returns the largest request body the route accepts, -1 for no limit. */
  long maxRequestBodySize() {
    return maxRequestBodySize;
  }

  LiveGroup group() {
    return group;
  }

  /** Returns the connector for WebSocket upgrades, or null when the route does not accept them. */
  @Nullable WebSocketConnector webSocketConnector() {
    return webSocketConnector;
  }

  /** Returns the route's retry budget, or null when it never retries. */
  @Nullable RetryBudget retryBudget() {
    return retryBudget;
  }
}
