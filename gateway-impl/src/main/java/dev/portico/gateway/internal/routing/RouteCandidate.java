package dev.portico.gateway.internal.routing;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.routing.FieldCondition;
import dev.portico.gateway.routing.HostPattern;
import dev.portico.gateway.routing.PathPattern;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A route of a {@link RouteTable} with its conditions unpacked for the hot path: methods, hosts,
 * header and query conditions, and the outcome built once when the pattern captures nothing. Not
 * public API.
 */
final class RouteCandidate {
  private static final Comparator<RouteCandidate> PRIORITY = (a, b) -> {
    int bySpecificity = b.pattern.compareSpecificity(a.pattern);
    return bySpecificity != 0 ? bySpecificity : Integer.compare(a.order, b.order);
  };

  final Route route;
  final int order;
  final PathPattern pattern;
  /** Whether the pattern is a literal: found through the literal map, it matched already. */
  final boolean literal;
  final Set<String> methods;
  final HostPattern[] hosts;
  final FieldCondition[] headers;
  final FieldCondition[] query;
  /** The outcome, when the pattern captures no variables and it can be built once. */
  final RouteLookup.@Nullable Found found;

  RouteCandidate(Route route, int order) {
    this.route = requireNonNull(route, "route");
    this.order = order;
    this.pattern = route.path();
    this.literal = pattern.isLiteral();
    this.methods = route.methods();
    this.hosts = route.hosts().toArray(HostPattern[]::new);
    this.headers = route.headers().toArray(FieldCondition[]::new);
    this.query = route.queryParams().toArray(FieldCondition[]::new);
    this.found = pattern.variableNames().isEmpty() ? new RouteLookup.Found(route, Map.of()) : null;
  }

  boolean acceptsMethod(String method) {
    return methods.isEmpty() || methods.contains(method);
  }

  boolean acceptsHost(String host) {
    if (hosts.length == 0) {
      return true;
    }
    for (HostPattern h : hosts) {
      if (h.matches(host)) {
        return true;
      }
    }
    return false;
  }

  boolean acceptsHeaders(HttpHeaders requestHeaders) {
    for (FieldCondition c : headers) {
      if (!c.test(requestHeaders.all(c.name()))) {
        return false;
      }
    }
    return true;
  }

  boolean acceptsQuery(Map<String, List<String>> parameters) {
    for (FieldCondition c : query) {
      if (!c.test(parameters.getOrDefault(c.name(), List.of()))) {
        return false;
      }
    }
    return true;
  }

  RouteLookup.Found found(String path) {
    if (found != null) {
      return found;
    }
    return new RouteLookup.Found(route, pattern.match(path).orElseThrow(
        () -> new IllegalStateException("route '" + route.id() + "' matched '" + path + "' but captured nothing")));
  }

  /** Orders candidates most specific first, then in declaration order. */
  static RouteCandidate[] sorted(List<RouteCandidate> candidates) {
    return candidates.stream().sorted(PRIORITY).toArray(RouteCandidate[]::new);
  }
}
