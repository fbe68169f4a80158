package dev.portico.gateway.internal;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.internal.chain.ChainStep;
import dev.portico.gateway.internal.http.UnforwardableRequest;
import dev.portico.gateway.internal.routing.RouteLookup;
import dev.portico.gateway.internal.routing.RouteTable;
import dev.portico.gateway.internal.syntax.HttpSyntax;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;

/**
 * The routes of one compiled configuration: the route table a request is matched against, and
 * each route's {@link CompiledRoute}. Matching a request, or the request a CORS preflight
 * announces, is a lookup here. Not public API.
 */
final class CompiledRoutes {
  private final RouteTable table;
  private final Map<Route, CompiledRoute> compiled = new IdentityHashMap<>();
  private final RouteCaches caches;

  /** Compiles every route of {@code routes} with {@code compiler}, in order. */
  CompiledRoutes(List<Route> routes, RouteCompiler compiler) {
    this.table = RouteTable.of(routes);
    for (Route route : routes) {
      compiled.put(route, compiler.compile(route));
    }
    this.caches = compiler.caches();
  }

  /** Returns what the table says of a request: found (with its variables), method not allowed, or no route. */
  RouteLookup lookup(String method, String path, String authority, HttpHeaders headers, @Nullable String rawQuery) {
    return table.lookup(method, path, authority, headers, rawQuery);
  }

  /** Returns the compiled form of a route the table found, for a request with {@code method}. */
  CompiledRoute of(RouteLookup.Found found, String method) {
    return compiled.get(found.route()).forMethod(method);
  }

  /**
   * The route whose CORS policy answers a preflight that announces a method: the route that takes
   * that method here; or, when routes on this path take only other methods ({@code allowed}, then
   * not empty), the route of one of those, whose policy refuses the method.
   */
  record PreflightTarget(RouteLookup.Found found, CompiledRoute route, Set<String> allowed) {}

  /**
   * Returns the route whose CORS policy answers a preflight announcing {@code requested}, or null
   * when no route with a CORS policy would take the request it announces.
   */
  @Nullable PreflightTarget preflightTarget(String requested, String path, String authority, HttpHeaders headers,
      @Nullable String rawQuery) {
    // Matched as sent, like the request it announces: a method in another case is not the route's.
    if (!HttpSyntax.isToken(requested) || UnforwardableRequest.hasLowerCase(requested)) {
      return null;
    }
    RouteLookup lookup = table.lookup(requested, path, authority, headers, rawQuery);
    if (lookup instanceof RouteLookup.Found found) {
      CompiledRoute route = compiled.get(found.route());
      return route.policies().cors() == null ? null : new PreflightTarget(found, route, Set.of());
    }
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      // Rare, and not a hot path: the first route on this path (by method) that has a CORS policy.
      for (String method : notAllowed.allowed()) {
        if (table.lookup(method, path, authority, headers, rawQuery) instanceof RouteLookup.Found found
            && compiled.get(found.route()).policies().cors() != null) {
          return new PreflightTarget(found, compiled.get(found.route()), notAllowed.allowed());
        }
      }
    }
    return null;
  }

  /** Returns the step names of route {@code routeId}'s chain, then {@code proxy}; empty when unknown. */
  List<String> policies(String routeId) {
    for (CompiledRoute route : compiled.values()) {
      if (route.id().equals(routeId)) {
        return policies(route);
      }
    }
    return List.of();
  }

  /** Returns the step names of {@code route}'s chain, then {@code proxy}. */
  static List<String> policies(CompiledRoute route) {
    List<String> names = new ArrayList<>();
    if (route.ipGate() != null) {
      // Checked by the dispatcher before the chain, preflights included.
      names.add("ip-rules");
    }
    for (ChainStep step : route.steps()) {
      names.add(step.name());
    }
    if (route.split() != null) {
      names.add("split");
    }
    if (route.upstream().mirror() != null) {
      names.add("mirror");
    }
    names.add("proxy");
    return List.copyOf(names);
  }

  /** Returns the live state of the routes' response caches, in route order. */
  List<dev.portico.gateway.cache.CacheStatus> cacheStatus() {
    return caches.status();
  }

  /** Returns the upstream clients the routes send with. */
  Set<HttpClient> clientsInUse() {
    Set<HttpClient> used = Collections.newSetFromMap(new IdentityHashMap<>());
    for (CompiledRoute route : compiled.values()) {
      route.forms().forEach(form -> {
        used.add(form.upstream().client());
        if (form.upstream().mirror() != null) {
          used.add(form.upstream().mirror().client());
        }
        if (form.split() != null) {
          form.split().upstreams().forEach(side -> used.add(side.client()));
        }
      });
    }
    return used;
  }
}
