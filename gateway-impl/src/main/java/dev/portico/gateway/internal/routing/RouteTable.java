package dev.portico.gateway.internal.routing;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** TEMPORARY placeholder (linear scan) until the routing branch lands. */
public final class RouteTable {
  private final List<Route> routes;

  private RouteTable(List<Route> routes) {
    this.routes = routes;
  }

  public static RouteTable of(List<Route> routes) {
    return new RouteTable(List.copyOf(routes));
  }

  public RouteLookup lookup(String method, String path, String host, HttpHeaders headers, @Nullable String rawQuery) {
    Route best = null;
    Map<String, String> bestVars = null;
    TreeSet<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Optional<Map<String, String>> vars = r.path().match(path);
      if (vars.isEmpty()) {
        continue;
      }
      if (!r.hosts().isEmpty() && r.hosts().stream().noneMatch(h -> h.matches(host))) {
        continue;
      }
      if (!r.headers().stream().allMatch(c -> c.test(headers.all(c.name())))) {
        continue;
      }
      if (!r.methods().isEmpty() && !r.methods().contains(method)) {
        allowed.addAll(r.methods());
        continue;
      }
      if (best == null || r.path().compareSpecificity(best.path()) > 0) {
        best = r;
        bestVars = vars.get();
      }
    }
    if (best != null) {
      return new RouteLookup.Found(best, bestVars);
    }
    return allowed.isEmpty() ? RouteLookup.notFound() : new RouteLookup.MethodNotAllowed(allowed);
  }
}
