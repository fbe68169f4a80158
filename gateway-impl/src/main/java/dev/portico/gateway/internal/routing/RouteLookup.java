package dev.portico.gateway.internal.routing;

import dev.portico.gateway.Route;
import java.util.Map;
import java.util.Set;

/** TEMPORARY placeholder until the routing branch lands. */
public sealed interface RouteLookup {
  static RouteLookup notFound() {
    return NotFound.INSTANCE;
  }

  record Found(Route route, Map<String, String> variables) implements RouteLookup {}

  record MethodNotAllowed(Set<String> allowed) implements RouteLookup {}

  enum NotFound implements RouteLookup {
    INSTANCE
  }
}
