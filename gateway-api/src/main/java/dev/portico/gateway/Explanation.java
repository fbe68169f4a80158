package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a running gateway would do with a request, without doing it: for tests and debugging.
 *
 * <pre>{@code
 * Explanation e = handler.explain("GET", "/api/orders/42?expand=lines", HttpHeaders.empty());
 * e.verdict();        // ROUTED
 * e.routeId();        // Optional[order]
 * e.upstreamUri();    // Optional[http://orders:8080/orders/42?expand=lines]
 * e.policies();       // [route-header, authentication, rate-limit, proxy]
 * }</pre>
 *
 * @param verdict how the gateway would answer
 * @param method the request method
 * @param path the normalized path; the path as given when it cannot be normalized
 * @param refusal why the gateway would refuse the request, for every verdict but {@code ROUTED};
 *     for {@code PREFLIGHT}, only when no route on the path takes the announced method (then the
 *     CORS policy refuses it, 403 {@code cors-rejected})
 * @param routeId the route that would take the request
 * @param pathVariables what the route's path pattern would capture
 * @param upstreamUri the URI the upstream request would go to (query included), before filters and
 *     request transforms change it; for a route with a traffic split, {@code upstream-group:} the
 *     side a header or cookie rule gives the request, else the split's default side
 * @param policies the names of the steps that would run, in order: {@code ip-rules} when the
 *     gateway or the route has client address rules (the explanation does not know the client's
 *     address, so it names the check without saying how it would end), global filters, the
 *     engine's policy steps, validation, the route's filters, the transforms, with a traffic split
 *     {@code split: ...} saying which side and why, then {@code proxy};
 *     for a preflight, {@code ip-rules} when there are rules, then {@code cors-preflight}
 * @param allowedMethods for {@code METHOD_NOT_ALLOWED}, and a {@code PREFLIGHT} whose method no
 *     route takes, the methods the matching routes take
 */
public record Explanation(Verdict verdict, String method, String path, Optional<String> refusal,
    Optional<String> routeId, Map<String, String> pathVariables, Optional<String> upstreamUri,
    List<String> policies, Set<String> allowedMethods) {

  /** How the gateway would answer. */
  public enum Verdict {
    /** A route takes the request and its chain runs. */
    ROUTED,
    /** A CORS preflight the gateway answers itself, from the route's CORS policy. */
    PREFLIGHT,
    /** The request target is ambiguous (its path, or a query that cannot be forwarded exactly): 400 {@code bad-path}. */
    BAD_PATH,
    /** Routes match the path but not the method: 405. */
    METHOD_NOT_ALLOWED,
    /** No route matches: handed back to the host (Jetty handler) or 404 {@code no-route} (servlet). */
    NO_ROUTE,
    /** The rewritten path for the upstream is not valid: 400 {@code bad-path}. */
    BAD_UPSTREAM_PATH,
    /**
     * The message is refused before routing, because it could be routed as one thing and forwarded
     * as another: a method with a lower-case letter or a transfer coding before {@code chunked}
     * (501), or more than one {@code Content-Type} (400). The refusal says which.
     */
    UNFORWARDABLE
  }

  /** Validates and copies the components. */
  public Explanation {
    requireNonNull(verdict, "verdict");
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(refusal, "refusal");
    requireNonNull(routeId, "routeId");
    pathVariables = Map.copyOf(pathVariables);
    requireNonNull(upstreamUri, "upstreamUri");
    policies = List.copyOf(policies);
    allowedMethods = Set.copyOf(allowedMethods);
  }
}
