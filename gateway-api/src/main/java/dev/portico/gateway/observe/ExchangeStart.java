package dev.portico.gateway.observe;

import static java.util.Objects.requireNonNull;

import dev.portico.gateway.Route;
import java.util.Optional;

/**
 * What the engine knows of an exchange when it takes it: after the path was normalized and a
 * route matched (or the exchange is about to be refused: then {@link #route()} is empty).
 *
 * @param requestId the exchange's request id
 * @param method the request method
 * @param path the normalized path (the raw path when it could not be normalized)
 * @param route the route that matched; empty for an exchange refused before routing
 * @param incoming the client's trace context, when it sent a valid {@code traceparent}
 * @param trace the context the engine gives the exchange: {@code incoming} with a new span id, or a
 *     new trace
 * @param clientIp the client's IP address
 */
public record ExchangeStart(String requestId, String method, String path, Optional<Route> route,
    Optional<TraceContext> incoming, TraceContext trace, String clientIp) {

  /** Validates the components. */
  public ExchangeStart {
    requireNonNull(requestId, "requestId");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(route, "route");
    requireNonNull(incoming, "incoming");
    requireNonNull(trace, "trace");
    requireNonNull(clientIp, "clientIp");
  }
}
