package dev.portico.gateway.internal;

import dev.portico.gateway.IpRules;
import dev.portico.gateway.Problem;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.HttpHeaders;
import org.jspecify.annotations.Nullable;

/**
 * The client address check of one route (the gateway's {@link IpRules}, then the route's), or of
 * the gateway alone for the requests it refuses before a route (404, 405). Built only where some
 * rule exists: a route without rules has no gate, and its requests skip the check altogether.
 * Run by the {@link Dispatcher} before CORS preflights and the route's chain. Not public API.
 */
final class IpGate {
  private final IpRules gateway;
  private final IpRules route;

  private IpGate(IpRules gateway, IpRules route) {
    this.gateway = gateway;
    this.route = route;
  }

  /** Returns the gate of {@code gateway}'s and {@code route}'s rules, or null when neither refuses anyone. */
  static @Nullable IpGate of(IpRules gateway, IpRules route) {
    return gateway.isEmpty() && route.isEmpty() ? null : new IpGate(gateway, route);
  }

  /** Returns the 403 {@code ip-refused} problem for {@code clientIp}, or null when it may pass. */
  @Nullable Problem refusal(String clientIp) {
    if (!gateway.isEmpty() && !gateway.permits(clientIp)) {
      return new Problem(ProblemType.IP_REFUSED, "The gateway does not accept requests from this client address.",
          HttpHeaders.empty());
    }
    if (!route.isEmpty() && !route.permits(clientIp)) {
      return new Problem(ProblemType.IP_REFUSED, "This route does not accept requests from this client address.",
          HttpHeaders.empty());
    }
    return null;
  }

  /** Returns which rules the gate checks, for explanations: "gateway", "route" or both. */
  String sources() {
    return gateway.isEmpty() ? "route" : route.isEmpty() ? "gateway" : "gateway, route";
  }
}
