package dev.portico.gateway.internal.routing;

import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The reference {@link RouteTable} is checked against: scan every route, keep those that match
 * fully, take the most specific and, among equally specific ones, the earliest declared; 405 with
 * the union of methods when only the method is wrong. Slow and obviously right; shared by the
 * randomized test ({@code RouteTableTest}) and the fuzz test ({@code RouteTableFuzzTest}).
 */
final class NaiveRouteScan {
  private NaiveRouteScan() {
  }

  /** Looks a request up the slow way; the arguments mean what they mean for {@link RouteTable#lookup}. */
  static RouteLookup lookup(List<Route> routes, String method, String path, String host,
      HttpHeaders headers, @Nullable String rawQuery) {
    Map<String, List<String>> query = query(rawQuery);
    Route best = null;
    Map<String, String> bestVariables = Map.of();
    Set<String> allowed = new TreeSet<>();
    for (Route r : routes) {
      Optional<Map<String, String>> variables = r.path().match(path);
      boolean rest = variables.isPresent()
          && (r.hosts().isEmpty() || r.hosts().stream().anyMatch(h -> h.matches(host)))
          && r.headers().stream().allMatch(c -> c.test(headers.all(c.name())))
          && r.queryParams().stream().allMatch(c -> c.test(query.getOrDefault(c.name(), List.of())));
      if (!rest) {
        continue;
      }
      if (!r.methods().isEmpty() && !r.methods().contains(method)) {
        allowed.addAll(r.methods());
        continue;
      }
      if (best == null || r.path().compareSpecificity(best.path()) > 0) {
        best = r;
        bestVariables = variables.get();
      }
    }
    if (best != null) {
      return new RouteLookup.Found(best, bestVariables);
    }
    return allowed.isEmpty() ? RouteLookup.notFound() : new RouteLookup.MethodNotAllowed(allowed);
  }

  private static Map<String, List<String>> query(@Nullable String rawQuery) {
    Map<String, List<String>> query = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      String[] nv = part.split("=", 2);
      String name = URLDecoder.decode(nv[0], StandardCharsets.UTF_8);
      String value = nv.length > 1 ? URLDecoder.decode(nv[1], StandardCharsets.UTF_8) : "";
      query.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return query;
  }

  /** The lookup's outcome as text, so that two lookups compare with {@code isEqualTo}. */
  static String describe(RouteLookup lookup) {
    if (lookup instanceof RouteLookup.Found found) {
      return "Found " + found.route().id() + " " + new TreeMap<>(found.variables());
    }
    if (lookup instanceof RouteLookup.MethodNotAllowed notAllowed) {
      return "405 " + notAllowed.allowed();
    }
    return "404";
  }
}
