package dev.portico.gateway.internal;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.internal.chain.AuthenticationStep;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.chain.ConcurrencyLimitStep;
import dev.portico.gateway.internal.chain.RateLimitStep;
import dev.portico.gateway.internal.chain.RequestSizeStep;
import dev.portico.gateway.internal.chain.RoutePolicies;
import dev.portico.gateway.internal.mirror.Mirror;
import dev.portico.gateway.internal.proxy.ProxyRoute;
import dev.portico.gateway.internal.proxy.UpstreamRequests;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import dev.portico.gateway.internal.websocket.WebSocketConnector;
import dev.portico.gateway.ratelimit.RateLimiter;
import dev.portico.gateway.upstream.RequestMirror;
import dev.portico.gateway.upstream.RetryPolicy;
import dev.portico.gateway.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Compiles each route of a {@link Gateway} into a {@link CompiledRoute}: the engine's policy steps
 * it needs, in their fixed order, its policies, and its upstream side. A route with per-method
 * policies is compiled once more for each form {@link Route#forMethod(String)} gives, sharing its
 * upstream side; the request's method picks the form ({@link CompiledRoute#forMethod(String)}).
 * Bulkheads carry over from the previous configuration by route id and {@code ConcurrencyLimit}
 * instance, so a reconfiguration that keeps a route's limit keeps its permits; the forms of one
 * route that share a limit share its bulkhead. Not public API.
 */
final class RouteCompiler {
  private final Gateway gateway;
  private final GatewayRuntime runtime;
  private final EngineUpstreams upstreams;
  private final UpstreamRequests requests;
  private final Map<String, List<ConcurrencyLimitStep>> previousBulkheads;
  /** Bulkheads by route id, for the next configuration to carry over. */
  private final Map<String, List<ConcurrencyLimitStep>> bulkheads = new HashMap<>();
  private final RouteCaches caches;

  RouteCompiler(Gateway gateway, GatewayRuntime runtime, EngineUpstreams upstreams, UpstreamRequests requests,
      Map<String, List<ConcurrencyLimitStep>> previousBulkheads) {
    this.gateway = gateway;
    this.runtime = runtime;
    this.upstreams = upstreams;
    this.requests = requests;
    this.previousBulkheads = previousBulkheads;
    this.caches = new RouteCaches(gateway, runtime.observer());
  }

  /** Returns the response caches of the routes compiled so far. */
  RouteCaches caches() {
    return caches;
  }

  /** Returns the bulkheads of the routes compiled so far, by route id. */
  Map<String, List<ConcurrencyLimitStep>> bulkheads() {
    return bulkheads;
  }

  /**
   * Compiles {@code route}.
   *
   * @throws IllegalStateException naming the route, when a policy cannot be compiled
   */
  CompiledRoute compile(Route route) {
    // The route's upstream: a shared group, or its inline upstream as a group of one.
    LiveGroup group = upstreams.groupOf(route);
    RetryPolicy retry = route.retryPolicy();
    RetryBudget budget = retry.enabled()
        ? new RetryBudget(retry.budgetPercent(), retry.minRetriesPerSecond(), System::nanoTime) : null;
    WebSocketConnector ws = route.webSocket().isEmpty() ? null : upstreams.webSocketConnector(group, route);
    Mirror mirror = mirror(route);
    Map<String, CompiledRoute> byMethod = new HashMap<>();
    Map<Route, CompiledRoute> forms = new IdentityHashMap<>();
    Set<String> methods = new LinkedHashSet<>(route.methodPolicies().keySet());
    methods.add("HEAD");
    for (String method : methods) {
      Route form = route.forMethod(method);
      if (form != route) {
        byMethod.put(method, forms.computeIfAbsent(form, f -> compileForm(f, group, budget, ws, mirror, Map.of())));
      }
    }
    return compileForm(route, group, budget, ws, mirror, byMethod);
  }

  private CompiledRoute compileForm(Route route, LiveGroup group, @Nullable RetryBudget budget,
      @Nullable WebSocketConnector ws, @Nullable Mirror mirror, Map<String, CompiledRoute> byMethod) {
    ProxyRoute upstream = new ProxyRoute(route,
        runtime.clients().client(group.settings(), route.timeouts().connect().toMillis()), group, budget, requests,
        mirror);
    return new CompiledRoute(route, gateway.ipRules(), gateway.filters(), engineSteps(route), RoutePolicies.compile(gateway, route),
        upstream, split(route, upstream, budget, mirror), ws, byMethod,
        route.cache().map(policy -> caches.step(route, policy)).orElse(null));
  }

  /** The route's mirror, shared by its forms and split sides (one bound on copies in flight); null without one. */
  private @Nullable Mirror mirror(Route route) {
    if (route.mirror().isEmpty()) {
      return null;
    }
    RequestMirror settings = route.mirror().get();
    // A client of its own profile (the shadow's connect timeout is bounded by the copy's timeout).
    UpstreamGroup shadow = UpstreamGroup.of("mirror of " + route.id(), settings.target().toString());
    long connect = Math.min(route.timeouts().connect().toMillis(), settings.timeout().toMillis());
    return new Mirror(route.id(), settings, runtime.clients().client(shadow, connect), runtime.observer());
  }

  /** The route's split, its first side being {@code first}; null for a route without one. */
  private @Nullable SplitChooser split(Route route, ProxyRoute first, @Nullable RetryBudget budget,
      @Nullable Mirror mirror) {
    if (route.split().isEmpty()) {
      return null;
    }
    List<ProxyRoute> sides = new ArrayList<>();
    sides.add(first);
    route.split().get().sides().stream().skip(1).forEach(name -> {
      LiveGroup side = upstreams.namedGroup(name);
      sides.add(new ProxyRoute(route, runtime.clients().client(side.settings(), route.timeouts().connect().toMillis()),
          side, budget, requests, mirror));
    });
    return new SplitChooser(route.split().get(), sides);
  }

  /** The engine's policy steps, between the global filters and the route's own, in this order. */
  private List<ChainStep> engineSteps(Route route) {
    List<ChainStep> steps = new ArrayList<>(4);
    route.maxRequestBodySize().ifPresent(max -> steps.add(new RequestSizeStep(max)));
    AuthenticationStep authentication = authentication(route);
    if (authentication != null) {
      steps.add(authentication);
    }
    List<RateLimiter> limiters = new ArrayList<>(gateway.rateLimiters());
    limiters.addAll(route.rateLimiters());
    if (!limiters.isEmpty()) {
      steps.add(new RateLimitStep(limiters, gateway.rateLimitHeaders()));
    }
    route.concurrencyLimit().ifPresent(limit -> steps.add(bulkhead(route.id(), limit)));
    return steps;
  }

  /**
   * The bulkhead of {@code limit} on route {@code id}: the one another form of the route already
   * uses for the same limit, else the previous configuration's (carry-over: the same
   * ConcurrencyLimit instance on the same route id keeps its permits), else a new one.
   */
  private ConcurrencyLimitStep bulkhead(String id, dev.portico.gateway.ratelimit.ConcurrencyLimit limit) {
    List<ConcurrencyLimitStep> mine = bulkheads.computeIfAbsent(id, k -> new ArrayList<>(1));
    for (ConcurrencyLimitStep step : mine) {
      if (step.limit() == limit) {
        return step;
      }
    }
    ConcurrencyLimitStep bulkhead = previousBulkheads.getOrDefault(id, List.of()).stream()
        .filter(step -> step.limit() == limit).findFirst()
        .orElseGet(() -> new ConcurrencyLimitStep(limit, runtime.timers()));
    mine.add(bulkhead);
    return bulkhead;
  }

  /** The authentication step, where the route has an authenticator or forwards (or strips) identity headers. */
  private @Nullable AuthenticationStep authentication(Route route) {
    Authenticator authenticator = gateway.authenticatorFor(route).orElse(null);
    boolean needsStep = authenticator != null || !route.identityForwarding().identityHeaders().isEmpty()
        || route.identityForwarding().stripCredentials() || !route.identityForwarding().stripHeaders().isEmpty();
    return needsStep ? new AuthenticationStep(authenticator, route.accessRules(), route.identityForwarding()) : null;
  }
}
