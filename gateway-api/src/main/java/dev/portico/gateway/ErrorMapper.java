package dev.portico.gateway;

import java.util.Optional;

/**
 * Renders the gateway's problems for clients: given a {@link Problem} and where it happened, returns
 * the status, headers and body to send. Set one on the gateway ({@code Gateway.Builder.errorMapper})
 * or on a route, which replaces the gateway's ({@code Route.Builder.errorMapper}); without one the
 * engine renders RFC 9457 {@code application/problem+json}.
 *
 * <pre>{@code
 * // A legacy shape: {"error": {"code": "forbidden", "message": "..."}}
 * ErrorMapper legacy = (problem, context) -> ErrorResponse.of(problem.status(), "application/json",
 *     json.writeValueAsBytes(Map.of("error", Map.of(
 *         "code", problem.type().type().getPath().replace("/problems/", ""),
 *         "message", problem.detail()))));
 * }</pre>
 *
 * <p>Whatever the mapper returns, the engine also sends the problem's own headers
 * ({@code WWW-Authenticate}, {@code Allow}, {@code Retry-After}: clients need them), the request id
 * header, CORS headers where a policy applies, and a {@code Content-Length} it computes.
 *
 * <p>Called on the thread that ends the exchange: it must be fast, must not block, and should not
 * throw; if it throws or returns null, the engine logs a warning and sends the default rendering.
 */
@FunctionalInterface
public interface ErrorMapper {

  /** Returns what to send for {@code problem}. */
  ErrorResponse map(Problem problem, Context context);

  /** Where a problem happened. */
  interface Context {
    /** Returns the exchange's request id. */
    String requestId();

    /** Returns the id of the route that matched; empty for refusals before routing (400 bad-path, 404, 405). */
    Optional<String> routeId();

    /** Returns the request method. */
    String method();

    /** Returns the normalized request path (the raw one when it could not be normalized). */
    String path();
  }
}
