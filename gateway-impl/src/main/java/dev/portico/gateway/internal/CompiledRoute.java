package dev.portico.gateway.internal;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.chain.RoutePolicies;
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
public final class CompiledRoute {
  private final Route route;
  private final ChainStep[] steps;
  private final HttpClient client;
  private final LiveGroup group;
  private final @Nullable RetryBudget retryBudget;
  private final @Nullable WebSocketConnector webSocketConnector;
  private final long maxRequestBodySize;
  private final RoutePolicies policies;

  /**
   * The chain is: global filters; {@code engineSteps} in order (request size, authentication and
   * authorization, rate limits, concurrency limit, each only if the route needs it); the policies'
   * validation; the route's filters; the policies' request and response transforms; then the
   * proxy step.
   */
  CompiledRoute(Route route, List<Filter> globalFilters, List<ChainStep> engineSteps, HttpClient client,
      RoutePolicies policies, LiveGroup group, @Nullable RetryBudget retryBudget,
      @Nullable WebSocketConnector webSocketConnector) {
    this.route = route;
    List<ChainStep> all = new ArrayList<>();
    globalFilters.forEach(f -> all.add(ChainStep.of(f)));
    all.addAll(engineSteps);
    all.addAll(policies.beforeRouteFilters());
    route.filters().forEach(f -> all.add(ChainStep.of(f)));
    all.addAll(policies.afterRouteFilters());
    this.steps = all.toArray(ChainStep[]::new);
    this.client = client;
    this.group = group;
    this.retryBudget = retryBudget;
    this.webSocketConnector = webSocketConnector;
    this.maxRequestBodySize = route.maxRequestBodySize().orElse(-1);
    this.policies = policies;
  }

  public Route route() {
    return route;
  }

  public String id() {
    return route.id();
  }

  /** Returns the route's whole chain, in order. */
  ChainStep[] steps() {
    return steps;
  }

  public HttpClient client() {
    return client;
  }

  /** Returns the largest request body the route accepts, -1 for no limit. */
  public long maxRequestBodySize() {
    return maxRequestBodySize;
  }

  /** Returns the route's validation, transform, CORS and error policies. */
  RoutePolicies policies() {
    return policies;
  }

  public LiveGroup group() {
    return group;
  }

  /** Returns the connector for WebSocket upgrades, or null when the route does not accept them. */
  @Nullable WebSocketConnector webSocketConnector() {
    return webSocketConnector;
  }

  /** Returns the route's retry budget, or null when it never retries. */
  public @Nullable RetryBudget retryBudget() {
    return retryBudget;
  }
}
