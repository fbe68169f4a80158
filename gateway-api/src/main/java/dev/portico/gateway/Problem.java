package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

/**
 * One occurrence of a {@link ProblemType}: what the gateway answers instead of proxying.
 *
 * <p>The engine renders it as RFC 9457 {@code application/problem+json} with {@code type},
 * {@code title}, {@code status}, {@code detail} and the exchange's {@code requestId}, and adds
 * {@link #headers()} to the response (for example {@code Allow} on a 405 or
 * {@code WWW-Authenticate} on a 401). The {@code detail} is shown to clients: it must explain the
 * refusal without internals (no addresses, stack traces or secrets).
 *
 * <pre>{@code
 * return CompletableFuture.completedFuture(GatewayResponse.problem(
 *     ProblemType.BAD_REQUEST.withDetail("X-Tenant is required")));
 * }</pre>
 *
 * @param type the kind of problem, which fixes the status
 * @param detail a client-safe explanation of this occurrence
 * @param headers extra response headers that belong to the problem
 */
public record Problem(ProblemType type, String detail, HttpHeaders headers) {

  /** Validates the components. */
  public Problem {
    requireNonNull(type, "type");
    requireNonNull(detail, "detail");
    requireNonNull(headers, "headers");
  }

  /** Returns the HTTP status, from the type. */
  public int status() {
    return type.status();
  }

  /** Returns a copy with {@code name: value} added to the problem's headers. */
  public Problem withHeader(String name, String value) {
    return new Problem(type, detail, headers.toBuilder().add(name, value).build());
  }
}
