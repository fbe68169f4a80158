package dev.portico.gateway.internal;

import dev.portico.gateway.Filter;
import dev.portico.gateway.IpRules;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.chain.RoutePolicies;
import dev.portico.gateway.internal.proxy.ProxyRoute;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a request needs of its route, prepared once when the engine is built: the whole chain
 * (global filters, the engine's policy steps, the route's filters, the policies' transforms), the
 * route's policies, what the proxy leg needs of it ({@link ProxyRoute}: client, live group, retry
 * budget) and its WebSocket connector. Not public API.
 */
final class CompiledRoute {
  private final Route route;
  private final ChainStep[] steps;
  private final ProxyRoute upstream;
  /** The route's traffic split, or null: then every request goes to {@link #upstream}. */
  private final @Nullable SplitChooser split;
  private final @Nullable WebSocketConnector webSocketConnector;
  private final long maxRequestBodySize;
  private final RoutePolicies policies;
  /** The client address check, or null when neither the gateway nor the route has rules. */
  private final @Nullable IpGate ipGate;
  /** The route's forms for methods with policies of their own; empty for most routes. */
  private final Map<String, CompiledRoute> byMethod;

  /**
   * The chain is: global filters; {@code engineSteps} in order (request size, authentication and
   * authorization, rate limits, concurrency limit, each only if the route needs it); the policies'
   * validation; the route's filters; the policies' request and response transforms; then the
   * response cache, if the route caches; then the proxy step.
   */
  CompiledRoute(Route route, IpRules gatewayIpRules, List<Filter> globalFilters, List<ChainStep> engineSteps,
      RoutePolicies policies, ProxyRoute upstream, @Nullable SplitChooser split,
      @Nullable WebSocketConnector webSocketConnector, Map<String, CompiledRoute> byMethod, @Nullable ChainStep cache) {
    this.route = route;
    List<ChainStep> all = new ArrayList<>();
    globalFilters.forEach(f -> all.add(ChainStep.of(f)));
    all.addAll(engineSteps);
    all.addAll(policies.beforeRouteFilters());
    route.filters().forEach(f -> all.add(ChainStep.of(f)));
    all.addAll(policies.afterRouteFilters());
    if (cache != null) {
      all.add(cache);   // innermost: it keys on the request as forwarded and keeps the upstream's response
    }
    this.steps = all.toArray(ChainStep[]::new);
    this.upstream = upstream;
    this.split = split;
    this.webSocketConnector = webSocketConnector;
    this.maxRequestBodySize = route.maxRequestBodySize().orElse(-1);
    this.policies = policies;
    this.ipGate = IpGate.of(gatewayIpRules, route.ipRules());
    this.byMethod = Map.copyOf(byMethod);
  }

  /**
   * Returns the form of this route that runs requests with {@code method} (as sent): the one its
   * per-method policies make, else this one. One map lookup, only on routes that have such policies.
   */
  CompiledRoute forMethod(String method) {
    if (byMethod.isEmpty()) {
      return this;
    }
    CompiledRoute form = byMethod.get(method);
    return form == null ? this : form;
  }

  /** Returns every form of this route: this one, then those of its per-method policies. */
  List<CompiledRoute> forms() {
    List<CompiledRoute> forms = new ArrayList<>();
    forms.add(this);
    byMethod.values().stream().filter(f -> forms.stream().noneMatch(g -> g == f)).forEach(forms::add);
    return forms;
  }

  Route route() {
    return route;
  }

  String id() {
    return route.id();
  }

  /** Returns the route's whole chain, in order. */
  ChainStep[] steps() {
    return steps;
  }

  /** Returns what the proxy leg needs of the route. */
  ProxyRoute upstream() {
    return upstream;
  }

  /** Returns the route's traffic split, or null when all its requests go to {@link #upstream()}. */
  @Nullable SplitChooser split() {
    return split;
  }

  /** Returns the largest request body the route accepts, -1 for no limit. */
  long maxRequestBodySize() {
    return maxRequestBodySize;
  }

  /** Returns the route's validation, transform, CORS and error policies. */
  RoutePolicies policies() {
    return policies;
  }

  /** Returns the client address check (the gateway's rules and the route's), or null when there are none. */
  @Nullable IpGate ipGate() {
    return ipGate;
  }

  /** Returns the connector for WebSocket upgrades, or null when the route does not accept them. */
  @Nullable WebSocketConnector webSocketConnector() {
    return webSocketConnector;
  }
}
