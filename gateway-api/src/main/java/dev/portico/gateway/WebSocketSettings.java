package dev.portico.gateway;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What a route that accepts WebSocket upgrades allows: how long a connection may stay silent, and
 * how large one message may be. Set with {@link Route.Builder#websocket()} or
 * {@link Route.Builder#websocket(WebSocketSettings)}.
 *
 * <pre>{@code
 * WebSocketSettings.defaults()                                  // idle 5 min, messages up to 1 MiB
 * WebSocketSettings.defaults().withIdleTimeout(Duration.ofMinutes(30)).withMaxMessageSize(64 * 1024)
 * }</pre>
 *
 * @param idleTimeout how long the connection may stay silent in both directions before the gateway
 *     closes both sides (1001)
 * @param maxMessageSize the largest text or binary message, in bytes, in either direction; a larger
 *     one closes both sides (1009)
 */
public record WebSocketSettings(Duration idleTimeout, long maxMessageSize) {
  private static final WebSocketSettings DEFAULTS = new WebSocketSettings(Duration.ofMinutes(5), 1024 * 1024);

  /** Validates the values. */
  public WebSocketSettings {
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
    }
    if (maxMessageSize < 1) {
      throw new IllegalArgumentException("maxMessageSize: " + maxMessageSize + " (expected: > 0)");
    }
  }

  /** Idle timeout 5 minutes, messages up to 1 MiB. */
  public static WebSocketSettings defaults() {
    return DEFAULTS;
  }

  /** Returns a copy with {@code idleTimeout}. */
  public WebSocketSettings withIdleTimeout(Duration idleTimeout) {
    return new WebSocketSettings(idleTimeout, maxMessageSize);
  }

  /** Returns a copy with {@code maxMessageSize}. */
  public WebSocketSettings withMaxMessageSize(long maxMessageSize) {
    return new WebSocketSettings(idleTimeout, maxMessageSize);
  }
}
