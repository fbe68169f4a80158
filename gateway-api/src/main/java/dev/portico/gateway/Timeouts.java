package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * A route's limits on waiting for its upstream. Each one that runs out before the response has
 * started answers 504 ({@link ProblemType#UPSTREAM_TIMEOUT}); an idle timeout during the response
 * body aborts the client response.
 *
 * @param connect how long establishing the connection (and TLS handshake) to the upstream may take
 * @param response how long from sending the request until the upstream's response headers arrive
 * @param idle how long either direction may stay silent once the exchange is under way
 */
public record Timeouts(Duration connect, Duration response, Duration idle) {

  /** Connect 5 s, response 30 s, idle 60 s. */
  public static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60));

  /** Validates that each timeout is positive. */
  public Timeouts {
    check(connect, "connect");
    check(response, "response");
    check(idle, "idle");
  }

  /** Returns a copy with {@code connect}. */
  public Timeouts withConnect(Duration connect) {
    return new Timeouts(connect, response, idle);
  }

  /** Returns a copy with {@code response}. */
  public Timeouts withResponse(Duration response) {
    return new Timeouts(connect, response, idle);
  }

  /** Returns a copy with {@code idle}. */
  public Timeouts withIdle(Duration idle) {
    return new Timeouts(connect, response, idle);
  }

  private static void check(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " timeout: " + d + " (expected: > 0)");
    }
  }
}
