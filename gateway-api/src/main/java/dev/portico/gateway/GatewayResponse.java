package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an exchange answers: a status, headers and a body, or a {@link Problem} that the engine
 * renders as RFC 9457 JSON.
 *
 * <p>The terminal proxy step returns the upstream's response with a streaming body; filters can
 * derive a response with other headers or status and keep the body:
 *
 * <pre>{@code
 * Filter noServerHeader = (exchange, chain) -> chain.proceed(exchange).thenApply(response ->
 *     response.withHeaders(response.headers().toBuilder().remove("Server").build()));
 * }</pre>
 *
 * <p>A filter refuses a request by returning {@link #problem(Problem)} instead of calling the
 * chain: an expected outcome is a value, not an exception.
 */
public final class GatewayResponse {
  private final int status;
  private final HttpHeaders headers;
  private final ResponseBody body;
  private final @Nullable Problem problem;

  private GatewayResponse(int status, HttpHeaders headers, ResponseBody body, @Nullable Problem problem) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100-599)");
    }
    this.status = status;
    this.headers = requireNonNull(headers, "headers");
    this.body = requireNonNull(body, "body");
    this.problem = problem;
  }

  /** Returns a response with {@code status}, {@code headers} and {@code body}. */
  public static GatewayResponse of(int status, HttpHeaders headers, ResponseBody body) {
    return new GatewayResponse(status, headers, body, null);
  }

  /** Returns a response that the engine renders from {@code problem}. */
  public static GatewayResponse problem(Problem problem) {
    requireNonNull(problem, "problem");
    return new GatewayResponse(problem.status(), problem.headers(), ResponseBody.empty(), problem);
  }

  /** Returns the HTTP status. */
  public int status() {
    return status;
  }

  /** Returns the response headers (for a problem, the problem's extra headers). */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns the body. */
  public ResponseBody body() {
    return body;
  }

  /** Returns the problem this response renders, if it is one. */
  public Optional<Problem> problem() {
    return Optional.ofNullable(problem);
  }

  /** Returns a copy with {@code headers} and the same status and body. */
  public GatewayResponse withHeaders(HttpHeaders headers) {
    return new GatewayResponse(status, headers, body, problem);
  }

  /** Returns a copy with {@code status}; a problem response stops being one. */
  public GatewayResponse withStatus(int status) {
    return new GatewayResponse(status, headers, body, status == this.status ? problem : null);
  }

  @Override
  public String toString() {
    return problem != null ? "GatewayResponse{problem=" + problem.type().type() + "}"
        : "GatewayResponse{status=" + status + "}";
  }
}
