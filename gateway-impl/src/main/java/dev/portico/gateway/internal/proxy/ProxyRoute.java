package dev.portico.gateway.internal.proxy;

import dev.portico.gateway.Route;
import dev.portico.gateway.internal.mirror.Mirror;
import dev.portico.gateway.internal.upstream.LiveGroup;
import dev.portico.gateway.internal.upstream.RetryBudget;
import org.eclipse.jetty.client.HttpClient;
import org.jspecify.annotations.Nullable;

/**
 * What the proxy leg needs of a route, prepared once when the engine is built: the route, the
 * upstream client of its group's settings, the live group (shared with the other routes that send
 * to it), its retry budget (null when it never retries), the engine's upstream request rules and
 * the route's mirror (null without one).
 * Not public API.
 */
public record ProxyRoute(Route route, HttpClient client, LiveGroup group, @Nullable RetryBudget retryBudget,
    UpstreamRequests requests, @Nullable Mirror mirror) {

  /** Returns the route's id. */
  public String id() {
    return route.id();
  }
}
