package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A route's time limits: on waiting for its upstream, and on receiving the client's request body.
 * Each upstream limit that runs out before the response has started answers 504
 * ({@link ProblemType#UPSTREAM_TIMEOUT}); an idle timeout during the response body aborts the
 * client response. The request body limit answers 408 ({@link ProblemType#REQUEST_TIMEOUT}).
 *
 * <pre>{@code
 * Timeouts.DEFAULT.withResponse(Duration.ofSeconds(3)).withRequestBody(Duration.ofMinutes(5))
 * }</pre>
 *
 * @param connect how long establishing the connection (and TLS handshake) to the upstream may take
 * @param response how long from sending the request until the upstream's response headers arrive
 * @param idle how long either direction may stay silent once the exchange is under way
 * @param requestBody how long the whole request body may take to arrive, from the moment the
 *     gateway starts reading it (to stream it upstream, or for a body policy) to its last byte: a
 *     client that sends a byte now and then can no longer hold an upstream connection for ever.
 *     When it runs out, the upstream request is aborted and the client gets 408, or, if its
 *     response had already started, a broken response. A total rather than a minimum data rate:
 *     one number, the same on every adapter, that bounds what one request can hold; raise it on
 *     routes that take large uploads over slow links
 */
public record Timeouts(Duration connect, Duration response, Duration idle, Duration requestBody) {

  /** The default of {@link #requestBody()}: 60 s. */
  public static final Duration DEFAULT_REQUEST_BODY = Duration.ofSeconds(60);

  /** Connect 5 s, response 30 s, idle 60 s, request body 60 s. */
  public static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), DEFAULT_REQUEST_BODY);

  /** Validates that each timeout is positive. */
  public Timeouts {
    check(connect, "connect");
    check(response, "response");
    check(idle, "idle");
    check(requestBody, "requestBody");
  }

  /** The upstream limits, with the default request body limit ({@link #DEFAULT_REQUEST_BODY}). */
  public Timeouts(Duration connect, Duration response, Duration idle) {
    this(connect, response, idle, DEFAULT_REQUEST_BODY);
  }

  /** Returns a copy with {@code connect}. */
  public Timeouts withConnect(Duration connect) {
    return new Timeouts(connect, response, idle, requestBody);
  }

  /** Returns a copy with {@code response}. */
  public Timeouts withResponse(Duration response) {
    return new Timeouts(connect, response, idle, requestBody);
  }

  /** Returns a copy with {@code idle}. */
  public Timeouts withIdle(Duration idle) {
    return new Timeouts(connect, response, idle, requestBody);
  }

  /** Returns a copy with {@code requestBody}. */
  public Timeouts withRequestBody(Duration requestBody) {
    return new Timeouts(connect, response, idle, requestBody);
  }

  private static void check(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " timeout: " + d + " (expected: > 0)");
    }
  }
}
