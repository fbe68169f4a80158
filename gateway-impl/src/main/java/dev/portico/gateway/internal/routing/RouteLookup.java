package dev.portico.gateway.internal.routing;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Route;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The outcome of {@link RouteTable#lookup}: the route that takes the request, a 405 with the
 * methods that would have been taken, or a 404. Not public API.
 *
 * <pre>{@code
 * RouteLookup result = table.lookup("GET", path, host, headers, rawQuery);
 * if (result instanceof RouteLookup.Found found) {
 *   proxy(found.route(), found.variables());
 * } else if (result instanceof RouteLookup.MethodNotAllowed notAllowed) {
 *   answer405(notAllowed.allowHeader());
 * } else {
 *   answer404();
 * }
 * }</pre>
 */
public sealed interface RouteLookup
    permits RouteLookup.Found, RouteLookup.MethodNotAllowed, RouteLookup.NotFound {

  /** Returns the outcome for a request that no route matches, even leaving the method aside. */
  static RouteLookup notFound() {
    return NotFound.INSTANCE;
  }

  /**
   * A route takes the request.
   *
   * @param route the most specific matching route (the earliest declared among equals)
   * @param variables the path variables its pattern captured; empty when it captures none
   */
  record Found(Route route, Map<String, String> variables) implements RouteLookup {
    /** Validates the components and makes {@code variables} immutable. */
    public Found {
      requireNonNull(route, "route");
      variables = Map.copyOf(variables);
    }
  }

  /**
   * Routes match everything about the request but its method.
   *
   * @param allowed the union of those routes' methods, in alphabetical order
   */
  record MethodNotAllowed(Set<String> allowed) implements RouteLookup {
    /** Validates the components and makes {@code allowed} an immutable, sorted set. */
    public MethodNotAllowed {
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("allowed: empty (expected: at least one method)");
      }
      allowed = Collections.unmodifiableSortedSet(new TreeSet<>(allowed));
    }

    /** Returns the value of the {@code Allow} response header, e.g. {@code GET, POST}. */
    public String allowHeader() {
      return String.join(", ", allowed);
    }
  }

  /** No route matches the request. The only instance is {@link RouteLookup#notFound()}. */
  final class NotFound implements RouteLookup {
    private static final NotFound INSTANCE = new NotFound();

    private NotFound() {}

    @Override
    public String toString() {
      return "NotFound";
    }
  }
}
